using System.Net;
using System.Net.Http.Json;
using GoCoffee.Contracts.Tenants;
using GoCoffee.Orders.Ordering;
using GoCoffee.Orders.Tenants;
using GoCoffee.ServiceDefaults;
using GoCoffee.Testing;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using static GoCoffee.Orders.Tests.OrdersPlatform;

namespace GoCoffee.Orders.Tests;

/// <summary>
/// The webhook dispatcher is woken by the commit that queued a delivery, not by the poll: with a poll interval of a
/// minute, every step's webhook still arrives within seconds.
/// </summary>
public sealed class WebhookPromptnessTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private TestVirtualHost _virtualHost = null!;
    private PlatformHost _orders = null!;
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.Create();
        _virtualHost = await TestVirtualHost.Create();
        _receiver = await WebhookReceiver.Start();
        _orders = await PlatformHost.Start(
            _database,
            _virtualHost,
            builder => builder.AddOrdersService(),
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapOrdersApi();
            },
            new Dictionary<string, string?>
            {
                ["Webhooks:AllowPrivateNetworks"] = "true",
                ["Webhooks:PollInterval"] = "00:01:00",
            });
    }

    public async Task DisposeAsync()
    {
        await _orders.DisposeAsync();
        await _receiver.DisposeAsync();
        await _virtualHost.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Every_steps_webhook_arrives_within_seconds_though_the_dispatcher_polls_once_a_minute()
    {
        var tenant = $"prompt-{Guid.NewGuid():N}"[..15];
        await BrokerPublisher.Publish(
            _virtualHost.ConnectionStringFor("tenant"),
            new TenantServicesChanged(tenant, "premium", new CoffeeAccess(true, []), new AiAccess(false, [], 0, []), new Web3Access(false, []), 1, DateTimeOffset.UtcNow));
        await TestInfrastructure.Eventually(
            async () =>
            {
                await using var session = _orders.Services.GetRequiredService<IDocumentStore>().QuerySession();
                return await session.LoadAsync<TenantCoffee>(tenant) is { Enabled: true } ? (bool?)true : null;
            },
            TimeSpan.FromSeconds(30),
            "the orders service learns the tenant");
        var client = _orders.ClientForTenant(tenant);
        using var hook = await client.PutAsJsonAsync($"/api/orders/{tenant}/webhook", new { url = _receiver.Url($"/{tenant}").ToString() });
        Assert.Equal(HttpStatusCode.OK, hook.StatusCode);

        // Each step waits for the previous step's webhook, as a tenant's app driven by webhooks does.
        using var placed = await PostJson(client, $"/api/orders/{tenant}/orders", new { items = new[] { new { itemId = "latte", size = "medium", quantity = 1 } } }, "prompt-1");
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var id = (await placed.Content.ReadFromJsonAsync<OrderView>())!.Id;
        await Webhook(tenant, "order.awaiting_payment");
        using var paid = await PostJson(client, $"/api/orders/{tenant}/orders/{id}/payments", new { token = "tok_approve" });
        Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        await Webhook(tenant, "order.paid");
        foreach (var (step, webhookEvent) in new[] { ("brewing", "order.brewing"), ("ready", "order.ready"), ("picked-up", "order.completed") })
        {
            using var response = await client.PostAsync($"/api/orders/{tenant}/orders/{id}/{step}", null);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            await Webhook(tenant, webhookEvent);
        }
    }

    private Task<ReceivedWebhook> Webhook(string tenant, string webhookEvent) =>
        TestInfrastructure.Eventually(
            () => Task.FromResult(_receiver.Received.FirstOrDefault(r => r.Path == $"/{tenant}" && r.Event == webhookEvent)),
            TimeSpan.FromSeconds(10),
            $"the {webhookEvent} webhook arrives within 10 s (the poll interval is a minute)");
}
