using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoCoffee.Contracts.Orders;
using GoCoffee.Contracts.Tenants;
using GoCoffee.Testing;

namespace GoCoffee.Observability.Tests;

public sealed class ConsoleFeedTests(AlertPlatform platform) : IClassFixture<AlertPlatform>
{
    [Fact]
    public async Task The_feed_streams_tenant_events_to_operators_and_only_its_own_to_a_tenants_caller()
    {
        var mine = $"feed-{Guid.NewGuid():N}"[..13];
        var theirs = $"other-{Guid.NewGuid():N}"[..14];
        foreach (var tenant in new[] { mine, theirs })
        {
            await BrokerPublisher.Publish(
                platform.VirtualHost.ConnectionStringFor("tenant"),
                new TenantActivated(TenantCorrelation.For(tenant), tenant, "premium", [$"{tenant}-1"], DateTimeOffset.UtcNow, 600, [], 3));
        }

        var everything = await TestInfrastructure.Eventually(
            async () => await Backlog(platform.Observability.Client) is { } text && text.Contains(mine, StringComparison.Ordinal) && text.Contains(theirs, StringComparison.Ordinal) ? text : null,
            TimeSpan.FromSeconds(30),
            "both tenants' activations reach the operator's feed");
        Assert.Contains("tenant.activated", everything, StringComparison.Ordinal);

        var own = await Backlog(platform.Observability.ClientForTenant(mine));
        Assert.Contains(mine, own, StringComparison.Ordinal);
        Assert.DoesNotContain(theirs, own, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Orders_per_minute_and_revenue_come_from_the_orders_services_events_and_a_tenant_sees_only_its_own()
    {
        var mine = $"shop-{Guid.NewGuid():N}"[..13];
        var theirs = $"rival-{Guid.NewGuid():N}"[..14];
        var orders = platform.VirtualHost.ConnectionStringFor("orders");
        var paid = Guid.NewGuid();
        await BrokerPublisher.Publish(orders, new OrderAwaitingPayment(paid, mine, 7.50m, "USD", DateTimeOffset.UtcNow.AddMinutes(15), DateTimeOffset.UtcNow));
        await BrokerPublisher.Publish(orders, new OrderAwaitingPayment(Guid.NewGuid(), mine, 3.00m, "USD", DateTimeOffset.UtcNow.AddMinutes(15), DateTimeOffset.UtcNow));
        await BrokerPublisher.Publish(orders, new OrderPaymentClosed(paid, mine, "paid", DateTimeOffset.UtcNow));
        await BrokerPublisher.Publish(orders, new OrderAwaitingPayment(Guid.NewGuid(), theirs, 100m, "USD", DateTimeOffset.UtcNow.AddMinutes(15), DateTimeOffset.UtcNow));

        var summary = await TestInfrastructure.Eventually(
            async () => await platform.Observability.ClientForTenant(mine).GetFromJsonAsync<JsonElement>("/api/observability/console/business?minutes=5") is { } s
                && s.GetProperty("orders").GetInt32() == 2 && s.GetProperty("paid").GetInt32() == 1 ? (JsonElement?)s : null,
            TimeSpan.FromSeconds(30),
            "the tenant's two orders, one paid, are counted");
        Assert.Equal(7.50m, summary!.Value.GetProperty("revenue").GetProperty("USD").GetDecimal());
        Assert.Equal(5, summary.Value.GetProperty("perMinute").GetArrayLength());

        using var invalid = await platform.Observability.Client.GetAsync("/api/observability/console/business?minutes=0");
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }

    [Fact]
    public async Task An_orders_placement_and_payment_consumed_at_once_are_both_counted()
    {
        var tenant = $"race-{Guid.NewGuid():N}"[..13];
        var orders = platform.VirtualHost.ConnectionStringFor("orders");
        var ids = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in ids)
        {
            // The payment first, then the placement: consumed concurrently, each may find the other's record or none.
            await BrokerPublisher.Publish(orders, new OrderPaymentClosed(id, tenant, "paid", DateTimeOffset.UtcNow));
            await BrokerPublisher.Publish(orders, new OrderAwaitingPayment(id, tenant, 2.00m, "EUR", DateTimeOffset.UtcNow.AddMinutes(15), DateTimeOffset.UtcNow));
        }

        var summary = await TestInfrastructure.Eventually(
            async () => await platform.Observability.ClientForTenant(tenant).GetFromJsonAsync<JsonElement>("/api/observability/console/business?minutes=5") is { } s
                && s.GetProperty("orders").GetInt32() == 20 && s.GetProperty("paid").GetInt32() == 20 ? (JsonElement?)s : null,
            TimeSpan.FromSeconds(30),
            "all twenty orders are counted placed and paid");
        Assert.Equal(40.00m, summary!.Value.GetProperty("revenue").GetProperty("EUR").GetDecimal());
    }

    [Fact]
    public async Task The_console_page_is_served_without_a_credential_and_the_feed_is_not()
    {
        var anonymous = platform.Observability.AnonymousClient();
        using var page = await anonymous.GetAsync("/console");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("id=\"signin\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var feed = await anonymous.GetAsync("/api/observability/console/feed");
        Assert.Equal(HttpStatusCode.Unauthorized, feed.StatusCode);
        using var unknown = await anonymous.GetAsync("/console/secrets.json");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    /// <summary>What the feed sends before it goes live: the recent events this caller may see.</summary>
    private static async Task<string> Backlog(HttpClient client)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var response = await client.GetAsync("/api/observability/console/feed", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var text = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync(timeout.Token) is { } line && line != ": live")
        {
            text.AppendLine(line);
        }

        return text.ToString();
    }
}
