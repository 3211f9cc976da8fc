using System.Net;
using System.Net.Http.Json;
using System.Text;
using GoCoffee.Contracts.Tenants;
using GoCoffee.Observability;
using GoCoffee.Orders;
using GoCoffee.Orders.Tenants;
using GoCoffee.ServiceDefaults;
using GoCoffee.Testing;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace GoCoffee.Observability.Tests;

/// <summary>
/// The observability service (alert intake) and the orders service (tenant webhooks) on one PostgreSQL database and
/// RabbitMQ virtual host, each with its own broker login, and a webhook receiver on loopback standing in for tenants.
/// </summary>
public sealed class AlertPlatform : IAsyncLifetime
{
    public const string IntakeToken = "test-alert-intake-token-0123456789abcdef";

    private TestDatabase _database = null!;

    public TestVirtualHost VirtualHost { get; private set; } = null!;

    public PlatformHost Observability { get; private set; } = null!;

    public PlatformHost Orders { get; private set; } = null!;

    public WebhookReceiver Receiver { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.Create();
        VirtualHost = await TestVirtualHost.Create();
        Receiver = await WebhookReceiver.Start();
        Observability = await PlatformHost.Start(
            _database,
            VirtualHost,
            builder => builder.AddObservabilityService(),
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapObservabilityApi();
            },
            new Dictionary<string, string?> { ["Alerts:IntakeToken"] = IntakeToken });
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
                ["Webhooks:AllowPrivateNetworks"] = "true",
                ["Webhooks:PollInterval"] = "00:00:00.100",
            });
    }

    public async Task DisposeAsync()
    {
        await Orders.DisposeAsync();
        await Observability.DisposeAsync();
        await Receiver.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await _database.DisposeAsync();
    }

    /// <summary>A tenant the orders service knows (as the tenant service publishes it) with its webhook at <c>/{tenantId}</c> on the receiver.</summary>
    public async Task<string> TenantWithWebhook(string prefix)
    {
        var tenantId = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        await BrokerPublisher.Publish(
            VirtualHost.ConnectionStringFor("tenant"),
            new TenantServicesChanged(tenantId, "premium", new CoffeeAccess(true, []), new AiAccess(false, [], 0, []), new Web3Access(false, []), 1, DateTimeOffset.UtcNow));
        await TestInfrastructure.Eventually(
            async () =>
            {
                await using var session = Orders.Services.GetRequiredService<IDocumentStore>().QuerySession();
                return await session.LoadAsync<TenantCoffee>(tenantId) is { Enabled: true } ? (bool?)true : null;
            },
            TimeSpan.FromSeconds(30),
            $"the orders service learns tenant {tenantId}");
        using var hook = await Orders.ClientForTenant(tenantId).PutAsJsonAsync($"/api/orders/{tenantId}/webhook", new { url = Receiver.Url($"/{tenantId}").ToString() });
        Assert.Equal(HttpStatusCode.OK, hook.StatusCode);
        return tenantId;
    }

    /// <summary>POSTs a payload to the intake as Alertmanager does, with the intake token unless told otherwise.</summary>
    public async Task<HttpResponseMessage> PostToIntake(string json, string? token = IntakeToken, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/observability/alerts/intake") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return await (client ?? Observability.AnonymousClient()).SendAsync(request);
    }

    /// <summary>An Alertmanager webhook payload (version 4) with one alert.</summary>
    public static string Payload(string status, string fingerprint, string alertName, string? tenant, DateTimeOffset startsAt, DateTimeOffset? endsAt = null)
    {
        var labels = new Dictionary<string, string> { ["alertname"] = alertName, ["severity"] = "critical", ["service"] = "orders" };
        if (tenant is not null)
        {
            labels["tenant"] = tenant;
        }

        return System.Text.Json.JsonSerializer.Serialize(new
        {
            version = "4",
            groupKey = "{}:{alertname=\"" + alertName + "\"}",
            truncatedAlerts = 0,
            status,
            receiver = "gocoffee-intake",
            groupLabels = new { alertname = alertName },
            commonLabels = labels,
            commonAnnotations = new { },
            externalURL = "http://127.0.0.1:9093",
            alerts = new[]
            {
                new
                {
                    status,
                    labels,
                    annotations = new Dictionary<string, string> { ["summary"] = $"{alertName} for {tenant ?? "the platform"}", ["runbook"] = "Check the service's logs." },
                    startsAt = startsAt.ToString("O"),
                    endsAt = (endsAt ?? DateTimeOffset.UnixEpoch.AddYears(-1969)).ToString("O"),
                    generatorURL = "http://127.0.0.1:9090/graph?g0.expr=up",
                    fingerprint,
                },
            },
        });
    }

    public static string NewFingerprint() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
}
