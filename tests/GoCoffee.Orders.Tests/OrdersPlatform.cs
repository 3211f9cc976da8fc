using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GoCoffee.Contracts.Tenants;
using GoCoffee.Orders;
using GoCoffee.Orders.Ordering;
using GoCoffee.Orders.Tenants;
using GoCoffee.ServiceDefaults;
using GoCoffee.Testing;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GoCoffee.Orders.Tests;

/// <summary>
/// The orders service on its own PostgreSQL database and RabbitMQ virtual host, with a short payment timeout and fast
/// webhook retries, tenants whose coffee features arrive as the tenant service publishes them (with its broker login),
/// and a webhook receiver on loopback.
/// </summary>
public sealed class OrdersPlatform : IAsyncLifetime
{
    public static readonly TimeSpan PaymentTimeout = TimeSpan.FromSeconds(6);

    private TestDatabase _database = null!;

    public TestVirtualHost VirtualHost { get; private set; } = null!;

    public PlatformHost Orders { get; private set; } = null!;

    public WebhookReceiver Receiver { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.Create();
        VirtualHost = await TestVirtualHost.Create();
        Receiver = await WebhookReceiver.Start();
        Orders = await PlatformHost.Start(
            _database,
            VirtualHost,
            builder => builder.AddOrdersService(),
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapOrdersApi();
            },
            new Dictionary<string, string?>
            {
                ["Orders:PaymentTimeout"] = PaymentTimeout.ToString(),
                ["Payments:ProviderTimeout"] = "00:00:01",
                ["Payments:Sandbox:CallbackDelay"] = "00:00:00.100",
                ["Webhooks:AllowPrivateNetworks"] = "true",
                ["Webhooks:PollInterval"] = "00:00:00.100",
                ["Webhooks:BaseDelay"] = "00:00:00.100",
                ["Webhooks:MaxDelay"] = "00:00:00.500",
                ["Webhooks:MaxAttempts"] = "4",
            });
    }

    public async Task DisposeAsync()
    {
        await Orders.DisposeAsync();
        await Receiver.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await _database.DisposeAsync();
    }

    /// <summary>A tenant the orders service knows, with these coffee features (published as the tenant service does).</summary>
    public async Task<string> Tenant(string prefix, params string[] features)
    {
        var tenantId = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        await BrokerPublisher.Publish(
            VirtualHost.ConnectionStringFor("tenant"),
            new TenantServicesChanged(tenantId, "premium", new CoffeeAccess(true, features), new AiAccess(false, [], 0, []), new Web3Access(false, []), 3, DateTimeOffset.UtcNow));
        await TestInfrastructure.Eventually(
            async () => await Load<TenantCoffee>(tenantId) is { Version: 3 } ? (bool?)true : null,
            TimeSpan.FromSeconds(30),
            $"the orders service learns tenant {tenantId}'s coffee features");
        return tenantId;
    }

    public HttpClient As(string tenantId) => Orders.ClientForTenant(tenantId);

    public async Task<T?> Load<T>(object id)
        where T : class
    {
        await using var session = Orders.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return id switch
        {
            string s => await session.LoadAsync<T>(s),
            Guid g => await session.LoadAsync<T>(g),
            _ => throw new ArgumentException("string or Guid", nameof(id)),
        };
    }

    public Task<OrderState?> Order(Guid id) => Load<OrderState>(id);

    public async Task<int> OrderCount()
    {
        await using var session = Orders.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.Query<OrderState>().CountAsync();
    }

    public async Task<OrderState> UntilStatus(Guid orderId, string status, TimeSpan? timeout = null) =>
        await TestInfrastructure.Eventually(
            async () => await Order(orderId) is { } order && order.CurrentState == status ? order : null,
            timeout ?? TimeSpan.FromSeconds(30),
            $"order {orderId} becomes {status} (it is {(await Order(orderId))?.CurrentState})");

    /// <summary>Places a latte order; returns its id.</summary>
    public async Task<Guid> Place(string tenantId, string? key = null)
    {
        using var response = await PostJson(As(tenantId), $"/api/orders/{tenantId}/orders", new { items = new[] { new { itemId = "latte", size = "medium", quantity = 2, extras = new[] { "oat-milk" } } } }, key ?? Guid.NewGuid().ToString());
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public async Task<Guid> PlaceAndPay(string tenantId)
    {
        var id = await Place(tenantId);
        using var paid = await PostJson(As(tenantId), $"/api/orders/{tenantId}/orders/{id}/payments", new { token = "tok_approve" });
        Assert.Equal(System.Net.HttpStatusCode.Created, paid.StatusCode);
        await UntilStatus(id, OrderStatus.Paid);
        return id;
    }

    public static async Task<HttpResponseMessage> PostJson(HttpClient client, string path, object body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    public static async Task<HttpResponseMessage> PostRaw(HttpClient client, string path, string body, string contentType = "application/json", IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Publishes a shop event as a shop's system does: plain JSON on the exchange <c>orders-shop-events</c>.</summary>
    public async Task PublishShopEvent(string json)
    {
        Assert.True(await VirtualHost.PublishJson("orders-shop-events", json), "the shop event reached the orders-shop-events queue");
    }

    public static string ShopEvent(Guid orderId, string tenantId, string step) =>
        JsonSerializer.Serialize(new { orderId, tenantId, @event = step, shopId = "shop-7", at = DateTimeOffset.UtcNow });
}
