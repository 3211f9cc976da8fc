using System.Net;
using System.Text.Json;
using GoCoffee.EndToEnd.Tests.Platform;
using GoCoffee.Testing;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace GoCoffee.EndToEnd.Tests;

/// <summary>
/// The orders service ended with SIGKILL while orders are in the middle of their sagas (steps committed but not yet
/// applied, payment timeouts pending as rows, webhook deliveries not yet accepted by the tenant), started again, and
/// every order ends in its right state with every step, payment and webhook delivery exactly once.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class OrdersCrashTests(PlatformFixture platform, ITestOutputHelper output)
{
    private const int SigKillExitCode = 137;

    [Fact]
    public async Task Orders_service_killed_mid_saga_with_30_orders_in_flight_brings_each_to_its_final_state_exactly_once_after_its_restart()
    {
        try
        {
            await KillMidSagaAndRestart();
        }
        finally
        {
            // Whatever failed, the platform is left as it was found: the orders service running.
            if (platform["orders"].HasExited)
            {
                await platform.Restart(platform["orders"]);
            }
        }
    }

    private async Task KillMidSagaAndRestart()
    {
        await using var receiver = await WebhookReceiver.Start();
        var tenant = await CoffeeTenant.Onboard(platform, "crash");
        var hook = $"/{tenant.Id}";
        var secret = await tenant.SetWebhook(receiver.Url(hook));

        // The tenant's endpoint fails every delivery until after the restart: all its deliveries are still to be made at the kill.
        receiver.FailuresLeft[hook] = int.MaxValue;

        // 30 orders through the gateway: 20 paid by card at once, 10 left to the durable payment timeout.
        var first = await tenant.Place("crash-00");
        var orders = new[] { first }.Concat(await Task.WhenAll(Enumerable.Range(1, 29).Select(i => tenant.Place($"crash-{i:00}")))).Select(o => o.GetProperty("id").GetGuid()).ToList();
        var card = orders.Take(20).ToList();
        var unpaid = orders.Skip(20).ToList();
        // Paid once the saga awaits payment (a payment that comes sooner is taken too, but its history skips that state).
        await tenant.UntilStatus(orders, "AwaitingPayment");
        await Task.WhenAll(card.Select(id => Expect(HttpStatusCode.Created, tenant.Send(HttpMethod.Post, $"/api/orders/{tenant.Id}/orders/{id}/payments", new { token = "tok_approve" }))));
        await tenant.UntilStatus(card, "Paid");

        // The barista app starts brewing all 20; the service dies right after accepting the last one.
        await Task.WhenAll(card.Select(id => Expect(HttpStatusCode.Accepted, tenant.Send(HttpMethod.Post, $"/api/orders/{tenant.Id}/orders/{id}/brewing"))));
        var service = platform["orders"];
        Assert.Equal(SigKillExitCode, await service.Kill());

        // What the database holds at the kill: no order is final, the ten unpaid orders wait with their timeouts pending,
        // and the webhook deliveries are not made.
        var states = await Count("select data->>'CurrentState', count(*) from orders.mt_doc_orderstate where data->>'TenantId' = @tenant group by 1", tenant.Id, orders);
        var timeouts = await Count(
            "select 'pending', count(*) from orders.mt_doc_outboxmessage where data->>'MessageType' like '%OrderPaymentTimedOut' and (data->>'CorrelationId')::uuid = any(@orders) and (data->>'NotBefore')::timestamptz > now() group by 1",
            tenant.Id,
            unpaid);
        var deliveries = await Count("select data->>'Status', count(*) from orders.mt_doc_webhookdelivery where data->>'TenantId' = @tenant group by 1", tenant.Id, orders);
        output.WriteLine($"At the kill: orders {Show(states)}; payment timeouts {Show(timeouts)}; webhook deliveries {Show(deliveries)}");
        Assert.Equal(30, states.Values.Sum());
        Assert.Equal(0, states.GetValueOrDefault("Completed") + states.GetValueOrDefault("Cancelled"));
        Assert.Equal(unpaid.Count, states.GetValueOrDefault("AwaitingPayment"));
        Assert.Equal(unpaid.Count, timeouts.GetValueOrDefault("pending"));
        Assert.True(deliveries.GetValueOrDefault("Pending") > 0 && !deliveries.ContainsKey("Delivered"), $"webhook deliveries at the kill: {Show(deliveries)}");

        await platform.Restart(service);
        receiver.FailuresLeft[hook] = 0;

        // The shop finishes the 20 (ready from its system, picked-up from the barista app); the 10 time out.
        await tenant.UntilStatus(card, "Brewing");
        foreach (var id in card)
        {
            await ShopSystem.Publish(platform, id, tenant.Id, "ready");
        }

        await tenant.UntilStatus(card, "Ready");
        await Task.WhenAll(card.Select(id => Expect(HttpStatusCode.Accepted, tenant.Send(HttpMethod.Post, $"/api/orders/{tenant.Id}/orders/{id}/picked-up"))));
        await tenant.UntilStatus(card, "Completed");
        var final = await tenant.UntilStatus(unpaid, "Cancelled");

        // Each order: its steps once each, one payment (or none), nothing unapplied.
        foreach (var id in card)
        {
            var order = final[id];
            Assert.Equal(["Placed", "AwaitingPayment", "Paid", "Brewing", "Ready", "Completed"], CoffeeTenant.History(order));
            Assert.Equal("card", order.GetProperty("payment").GetProperty("method").GetString());
            Assert.Equal(0, order.GetProperty("unappliedPayments").GetArrayLength());
        }

        foreach (var id in unpaid)
        {
            var order = final[id];
            Assert.Equal(["Placed", "AwaitingPayment", "Cancelled"], CoffeeTenant.History(order));
            Assert.Equal("system:payment-timeout", order.GetProperty("history")[2].GetProperty("by").GetString());
            Assert.Equal(JsonValueKind.Null, order.TryGetProperty("payment", out var payment) ? payment.ValueKind : JsonValueKind.Null);
        }

        var payments = await Count("select data->>'Status', count(*) from orders.mt_doc_cardpayment where data->>'TenantId' = @tenant group by 1", tenant.Id, orders);
        Assert.Equal(new Dictionary<string, long> { ["Succeeded"] = card.Count }, payments);

        // Every webhook: one delivery per order and step, each delivered (its id received, signed with the tenant's secret).
        var expected = card.Count * 5 + unpaid.Count * 2;
        var log = await CoffeeTenant.Until(
            async () => await tenant.WebhookDeliveries() is var all && all.Count == expected && all.All(d => d.GetProperty("status").GetString() == "Delivered") ? all : null,
            CoffeeTenant.Timeout,
            () => $"all {expected} webhook deliveries of {tenant.Id} are Delivered");
        var perStep = log.GroupBy(d => (d.GetProperty("orderId").GetGuid(), d.GetProperty("event").GetString())).Where(g => g.Count() != 1).Select(g => $"{g.Key}: {g.Count()}").ToList();
        Assert.True(perStep.Count == 0, $"steps notified more than once: {string.Join(", ", perStep)}");
        Assert.Equal(orders.Order(), log.Select(d => d.GetProperty("orderId").GetGuid()).Distinct().Order());
        var accepted = receiver.Received.Where(r => r.Path == hook).ToList();
        var ids = log.Select(d => d.GetProperty("id").GetString()!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var received = accepted.Select(r => r.DeliveryId).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.True(ids.SetEquals(received), $"delivery ids in the log but never received: {string.Join(", ", ids.Except(received))}; received but not in the log: {string.Join(", ", received.Except(ids))}");
        Assert.All(accepted, webhook => Assert.True(CoffeeTenant.HasValidSignature(webhook, secret, out _), $"{webhook.DeliveryId}: signature {webhook.Signature} does not verify"));
        output.WriteLine($"{log.Count} deliveries, {accepted.Count} attempts received by the tenant's endpoint");

        var errors = await BrokerQueues.NonEmptyErrorQueues(platform.VirtualHost.Name);
        Assert.True(errors.Count == 0, $"messages in error queues: {string.Join(", ", errors.Select(e => $"{e.Key}={e.Value}"))}");
    }

    private static async Task Expect(HttpStatusCode status, Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        Assert.True(response.StatusCode == status, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Counts by the first column, read straight from the orders service's schema (the service may be down).</summary>
    private async Task<Dictionary<string, long>> Count(string sql, string tenantId, IReadOnlyCollection<Guid> orders)
    {
        await using var connection = new NpgsqlConnection(platform.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("orders", orders.ToArray());
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    private static string Show(Dictionary<string, long> counts) => counts.Count == 0 ? "none" : string.Join(", ", counts.Select(c => $"{c.Value} {c.Key}"));
}
