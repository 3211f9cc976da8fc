using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoCoffee.Contracts.Payments;
using GoCoffee.Orders.Ordering;
using GoCoffee.Orders.Payments;
using GoCoffee.Orders.Webhooks;
using GoCoffee.Testing;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using static GoCoffee.Orders.Tests.OrdersPlatform;

namespace GoCoffee.Orders.Tests;

public sealed class OrderLifecycleTests(OrdersPlatform platform) : IClassFixture<OrdersPlatform>
{
    [Fact]
    public async Task Menu_is_seeded_with_the_defaults_and_shows_premium_blends_only_with_the_feature()
    {
        var plain = await platform.Tenant("plain");
        var premium = await platform.Tenant("prem", "premium-blends");

        var plainMenu = await platform.As(plain).GetFromJsonAsync<JsonElement>($"/api/orders/{plain}/menu");
        var ids = plainMenu.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()).ToList();
        Assert.Equal("USD", plainMenu.GetProperty("currency").GetString());
        Assert.Contains("espresso", ids);
        Assert.Contains("flat-white", ids);
        Assert.Contains("cold-brew", ids);
        Assert.DoesNotContain("geisha-pour-over", ids);

        var premiumMenu = await platform.As(premium).GetFromJsonAsync<JsonElement>($"/api/orders/{premium}/menu");
        Assert.Contains("geisha-pour-over", premiumMenu.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Premium_blend_and_custom_order_without_the_feature_are_refused_403_naming_it()
    {
        var tenant = await platform.Tenant("nofeat");
        using var premium = await PostJson(platform.As(tenant), $"/api/orders/{tenant}/orders", new { items = new[] { new { itemId = "geisha-pour-over", quantity = 1 } } }, "k1");
        Assert.Equal(HttpStatusCode.Forbidden, premium.StatusCode);
        Assert.Equal("premium-blends", (await premium.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("feature").GetString());

        using var custom = await PostJson(platform.As(tenant), $"/api/orders/{tenant}/orders", new { items = new[] { new { itemId = "latte", size = "small", quantity = 1, note = "extra hot, half foam" } } }, "k2");
        Assert.Equal(HttpStatusCode.Forbidden, custom.StatusCode);
        Assert.Equal("custom-orders", (await custom.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("feature").GetString());
        Assert.Equal(0, await CountFor(tenant));

        var allowed = await platform.Tenant("feat", "premium-blends", "custom-orders");
        using var ok = await PostJson(platform.As(allowed), $"/api/orders/{allowed}/orders", new { items = new object[] { new { itemId = "geisha-pour-over", quantity = 1 }, new { itemId = "latte", size = "small", quantity = 1, note = "extra hot" } } }, "k3");
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
    }

    [Fact]
    public async Task Prices_are_computed_by_the_server_and_a_client_price_is_ignored()
    {
        var tenant = await platform.Tenant("price");
        using var response = await PostJson(
            platform.As(tenant),
            $"/api/orders/{tenant}/orders",
            new { total = 0.01m, items = new[] { new { itemId = "latte", size = "medium", quantity = 2, extras = new[] { "oat-milk" }, price = 0.01m, unitPrice = 0.01m } } },
            "priced");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var order = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(9.60m, order.GetProperty("total").GetDecimal());
        Assert.Equal("USD", order.GetProperty("currency").GetString());
        Assert.Equal(4.80m, order.GetProperty("lines")[0].GetProperty("unitPrice").GetDecimal());
    }

    [Fact]
    public async Task Idempotency_key_repeats_answer_the_same_order_and_status_and_a_different_body_is_422()
    {
        var tenant = await platform.Tenant("idem");
        var body = new { items = new[] { new { itemId = "espresso", size = "double", quantity = 1 } } };
        using var first = await PostJson(platform.As(tenant), $"/api/orders/{tenant}/orders", body, "same-key");
        using var second = await PostJson(platform.As(tenant), $"/api/orders/{tenant}/orders", body, "same-key");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal("true", second.Headers.GetValues("Idempotency-Replayed").Single());
        var id = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal(id, (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());

        using var different = await PostJson(platform.As(tenant), $"/api/orders/{tenant}/orders", new { items = new[] { new { itemId = "espresso", size = "double", quantity = 2 } } }, "same-key");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, different.StatusCode);
        Assert.Contains("Idempotency-Key", await different.Content.ReadAsStringAsync());

        using var missing = await PostJson(platform.As(tenant), $"/api/orders/{tenant}/orders", body);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("Idempotency-Key", await missing.Content.ReadAsStringAsync());
        Assert.Equal(1, await CountFor(tenant));
    }

    [Fact]
    public async Task Card_order_goes_from_placement_to_completed_with_signed_webhooks_and_metrics()
    {
        var tenant = await platform.Tenant("life");
        using var hook = await platform.As(tenant).PutAsJsonAsync($"/api/orders/{tenant}/webhook", new { url = platform.Receiver.Url($"/{tenant}").ToString() });
        Assert.Equal(HttpStatusCode.OK, hook.StatusCode);
        var secret = (await hook.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;

        var id = await platform.Place(tenant);
        await platform.UntilStatus(id, OrderStatus.AwaitingPayment);
        using var paid = await PostJson(platform.As(tenant), $"/api/orders/{tenant}/orders/{id}/payments", new { token = "tok_approve" });
        Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        await platform.UntilStatus(id, OrderStatus.Paid);

        using var brewing = await platform.As(tenant).PostAsync($"/api/orders/{tenant}/orders/{id}/brewing", null);
        Assert.Equal(HttpStatusCode.Accepted, brewing.StatusCode);
        await platform.UntilStatus(id, OrderStatus.Brewing);
        await platform.PublishShopEvent(ShopEvent(id, tenant, "ready"));
        await platform.UntilStatus(id, OrderStatus.Ready);
        await platform.PublishShopEvent(ShopEvent(id, tenant, "picked-up"));
        var completed = await platform.UntilStatus(id, OrderStatus.Completed);
        Assert.Equal(
            [OrderStatus.Placed, OrderStatus.AwaitingPayment, OrderStatus.Paid, OrderStatus.Brewing, OrderStatus.Ready, OrderStatus.Completed],
            completed.History.Select(h => h.To));
        Assert.Equal("shop:shop-7", completed.History[^1].By);

        var events = new[] { "order.awaiting_payment", "order.paid", "order.brewing", "order.ready", "order.completed" };
        var received = await TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Receiver.Received.Where(r => r.Path == $"/{tenant}").ToList() is { Count: >= 5 } all ? all : null),
            TimeSpan.FromSeconds(30),
            "the tenant receives a webhook for every step");
        Assert.Equal(events, received.Select(r => r.Event));
        foreach (var webhook in received)
        {
            var parts = webhook.Signature.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            var timestamp = long.Parse(parts["t"], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(WebhookDispatcher.Sign(secret, timestamp, Guid.Parse(webhook.DeliveryId), webhook.Body), parts["v1"]);
            Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - timestamp, 0, 60);
            using var payload = JsonDocument.Parse(webhook.Body);
            Assert.Equal(webhook.DeliveryId, payload.RootElement.GetProperty("id").GetString());
        }

        var metrics = await TestInfrastructure.Eventually(
            async () => await platform.Orders.AnonymousClient().GetStringAsync("/metrics") is { } text && Metric(text, "gocoffee_orders_by_status", "status=\"Completed\"", $"tenant=\"{tenant}\"") is not null ? text : null,
            TimeSpan.FromSeconds(30),
            "the business metrics show the tenant");
        Assert.Equal("1", Metric(metrics, "gocoffee_orders_by_status", "status=\"Completed\"", $"tenant=\"{tenant}\""));
        Assert.Equal("9.6", Metric(metrics, "gocoffee_orders_revenue", "currency=\"USD\"", $"tenant=\"{tenant}\""));
        Assert.Equal("1", Metric(metrics, "gocoffee_orders_placement_to_ready_seconds_count", $"tenant=\"{tenant}\""));
    }

    [Fact]
    public async Task Card_needing_a_second_step_is_paid_when_the_signed_callback_arrives()
    {
        var tenant = await platform.Tenant("tds");
        var id = await platform.Place(tenant);
        using var charge = await PostJson(platform.As(tenant), $"/api/orders/{tenant}/orders/{id}/payments", new { token = "tok_3ds" });
        Assert.Equal(HttpStatusCode.Accepted, charge.StatusCode);
        var payment = await charge.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("RequiresAction", payment.GetProperty("status").GetString());
        var next = payment.GetProperty("nextAction").GetProperty("url").GetString()!;

        using var wrong = await PostJson(platform.As(tenant), next, new { code = "12ab56" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        using var step = await PostJson(platform.As(tenant), next, new { code = "424242" });
        Assert.Equal(HttpStatusCode.Accepted, step.StatusCode);
        Assert.Equal("Processing", (await step.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        var paid = await platform.UntilStatus(id, OrderStatus.Paid);
        Assert.Equal(payment.GetProperty("id").GetGuid(), paid.PaymentId);
    }

    [Fact]
    public async Task Callback_with_a_bad_or_stale_signature_is_refused_and_changes_nothing()
    {
        var tenant = await platform.Tenant("cb");
        var id = await platform.Place(tenant);
        using var charge = await PostJson(platform.As(tenant), $"/api/orders/{tenant}/orders/{id}/payments", new { token = "tok_3ds" });
        var payment = await charge.Content.ReadFromJsonAsync<JsonElement>();
        var body = JsonSerializer.Serialize(new { paymentId = payment.GetProperty("id").GetGuid(), reference = payment.GetProperty("reference").GetString(), status = "succeeded" });
        var sandbox = (SandboxCardProvider)platform.Orders.Services.GetRequiredService<ICardPaymentProvider>();
        var old = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        foreach (var signature in new[] { string.Empty, $"t={now},v1=deadbeef", $"t={old},v1={sandbox.Sign(old, body)}", $"v1={sandbox.Sign(now, body)}" })
        {
            using var refused = await PostRaw(platform.Orders.AnonymousClient(), PaymentsApi.SandboxCallbackPath, body, headers: new Dictionary<string, string> { [SandboxCardProvider.SignatureHeader] = signature });
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        Assert.Equal(CardPaymentStatus.RequiresAction, (await platform.Load<CardPayment>(payment.GetProperty("id").GetGuid()))!.Status);
        Assert.Equal(OrderStatus.AwaitingPayment, (await platform.UntilStatus(id, OrderStatus.AwaitingPayment)).CurrentState);
    }

    [Fact]
    public async Task Declined_card_is_402_and_the_order_keeps_waiting_for_payment()
    {
        var tenant = await platform.Tenant("decl");
        var id = await platform.Place(tenant);
        using var declined = await PostJson(platform.As(tenant), $"/api/orders/{tenant}/orders/{id}/payments", new { token = "tok_decline" });
        Assert.Equal(HttpStatusCode.PaymentRequired, declined.StatusCode);
        Assert.Equal("card_declined", (await declined.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("declineCode").GetString());
        await platform.UntilStatus(id, OrderStatus.AwaitingPayment);

        // Another card works afterwards.
        using var approved = await PostJson(platform.As(tenant), $"/api/orders/{tenant}/orders/{id}/payments", new { token = "tok_approve" });
        Assert.Equal(HttpStatusCode.Created, approved.StatusCode);
        await platform.UntilStatus(id, OrderStatus.Paid);
        var metrics = await platform.Orders.AnonymousClient().GetStringAsync("/metrics");
        Assert.Equal("1", Metric(metrics, "gocoffee_orders_payment_failures_total", "reason=\"card_declined\"", $"tenant=\"{tenant}\""));
    }

    [Fact]
    public async Task Payment_not_received_in_time_cancels_the_order_through_the_durable_timeout()
    {
        var tenant = await platform.Tenant("late");
        var id = await platform.Place(tenant);
        using var pending = await PostJson(platform.As(tenant), $"/api/orders/{tenant}/orders/{id}/payments", new { token = "tok_timeout" });
        Assert.Equal(HttpStatusCode.Accepted, pending.StatusCode);
        Assert.Equal("provider_timeout", (await pending.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("failureCode").GetString());

        var cancelled = await platform.UntilStatus(id, OrderStatus.Cancelled, PaymentTimeout + TimeSpan.FromSeconds(30));
        Assert.Equal("system:payment-timeout", cancelled.History[^1].By);
        Assert.Null(cancelled.PaymentTimeoutToken);

        // A payment after the timeout is refused with the order's state.
        using var tooLate = await PostJson(platform.As(tenant), $"/api/orders/{tenant}/orders/{id}/payments", new { token = "tok_approve" });
        Assert.Equal(HttpStatusCode.Conflict, tooLate.StatusCode);
        Assert.Contains("the order is Cancelled", await tooLate.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Partial_then_full_refund_leaves_the_order_refunded()
    {
        var tenant = await platform.Tenant("refund");
        var id = await platform.PlaceAndPay(tenant);
        using var partial = await PostJson(platform.As(tenant), $"/api/orders/{tenant}/orders/{id}/refunds", new { amount = 2.50m, reason = "cold" });
        Assert.Equal(HttpStatusCode.Created, partial.StatusCode);
        Assert.Equal(7.10m, (await partial.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("remaining").GetDecimal());
        await TestInfrastructure.Eventually(async () => await platform.Order(id) is { RefundedAmount: 2.50m } ? (bool?)true : null, TimeSpan.FromSeconds(30), "the saga records the partial refund");
        Assert.Equal(OrderStatus.Paid, (await platform.Order(id))!.CurrentState);

        using var tooMuch = await PostJson(platform.As(tenant), $"/api/orders/{tenant}/orders/{id}/refunds", new { amount = 7.11m });
        Assert.Equal(HttpStatusCode.BadRequest, tooMuch.StatusCode);
        using var rest = await PostJson(platform.As(tenant), $"/api/orders/{tenant}/orders/{id}/refunds", new { });
        Assert.Equal(HttpStatusCode.Created, rest.StatusCode);
        var refunded = await platform.UntilStatus(id, OrderStatus.Refunded);
        Assert.Equal(9.60m, refunded.RefundedAmount);
    }

    [Fact]
    public async Task Illegal_transitions_are_refused_with_the_current_state()
    {
        var tenant = await platform.Tenant("illegal");
        var id = await platform.Place(tenant);
        await platform.UntilStatus(id, OrderStatus.AwaitingPayment);
        using var ready = await platform.As(tenant).PostAsync($"/api/orders/{tenant}/orders/{id}/ready", null);
        Assert.Equal(HttpStatusCode.Conflict, ready.StatusCode);
        var problem = await ready.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("AwaitingPayment", problem.GetProperty("currentStatus").GetString());
        Assert.Contains("the order is AwaitingPayment", problem.GetProperty("detail").GetString());

        var paid = await platform.PlaceAndPay(tenant);
        using var cancel = await platform.As(tenant).PostAsync($"/api/orders/{tenant}/orders/{paid}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, cancel.StatusCode);
        Assert.Contains("the order is Paid", await cancel.Content.ReadAsStringAsync());

        using var cancelUnpaid = await platform.As(tenant).PostAsync($"/api/orders/{tenant}/orders/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancelUnpaid.StatusCode);
        await platform.UntilStatus(id, OrderStatus.Cancelled);
    }

    [Fact]
    public async Task Orders_are_listed_by_status_and_time_and_paged()
    {
        var tenant = await platform.Tenant("list");
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var paid = await platform.PlaceAndPay(tenant);
        var waiting = await platform.Place(tenant);
        await platform.UntilStatus(waiting, OrderStatus.AwaitingPayment);
        var page = await platform.As(tenant).GetFromJsonAsync<JsonElement>($"/api/orders/{tenant}/orders?status=Paid");
        Assert.Equal(paid, Assert.Single(page.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
        var all = await platform.As(tenant).GetFromJsonAsync<JsonElement>($"/api/orders/{tenant}/orders?pageSize=1&placedFrom={Uri.EscapeDataString(before.ToString("O"))}");
        Assert.Equal(2, all.GetProperty("total").GetInt32());
        Assert.Equal(waiting, Assert.Single(all.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
        var none = await platform.As(tenant).GetFromJsonAsync<JsonElement>($"/api/orders/{tenant}/orders?placedTo={Uri.EscapeDataString(before.ToString("O"))}");
        Assert.Equal(0, none.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Another_tenants_orders_and_webhooks_are_out_of_reach()
    {
        var owner = await platform.Tenant("owner");
        var other = await platform.Tenant("other");
        var id = await platform.Place(owner);
        using var viaRoute = await platform.As(other).GetAsync($"/api/orders/{owner}/orders/{id}");
        Assert.Equal(HttpStatusCode.Forbidden, viaRoute.StatusCode);
        using var viaOwnRoute = await platform.As(other).GetAsync($"/api/orders/{other}/orders/{id}");
        Assert.Equal(HttpStatusCode.NotFound, viaOwnRoute.StatusCode);
        using var cancel = await platform.As(other).PostAsync($"/api/orders/{other}/orders/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        using var pay = await PostJson(platform.As(other), $"/api/orders/{owner}/orders/{id}/payments", new { token = "tok_approve" });
        Assert.Equal(HttpStatusCode.Forbidden, pay.StatusCode);
        using var hooks = await platform.As(other).GetAsync($"/api/orders/{owner}/webhook/deliveries");
        Assert.Equal(HttpStatusCode.Forbidden, hooks.StatusCode);
        using var menu = await platform.As(other).PutAsJsonAsync($"/api/orders/{owner}/menu", new { currency = "EUR", items = new[] { new { id = "x", name = "X", sizes = new[] { new { name = "s", price = 1m } } } } });
        Assert.Equal(HttpStatusCode.Forbidden, menu.StatusCode);
        Assert.Equal(0, (await platform.As(other).GetFromJsonAsync<JsonElement>($"/api/orders/{other}/orders")).GetProperty("total").GetInt32());
        Assert.Equal(OrderStatus.AwaitingPayment, (await platform.UntilStatus(id, OrderStatus.AwaitingPayment)).CurrentState);
    }

    [Fact]
    public async Task Payment_confirmed_by_web3_is_taken_exactly_once()
    {
        var tenant = await platform.Tenant("web3");
        var id = await platform.Place(tenant);
        await platform.UntilStatus(id, OrderStatus.AwaitingPayment);
        var confirmation = new PaymentConfirmed(id, tenant, Guid.NewGuid(), "crypto:ethereum", 9.60m, "USD", "0xabc", DateTimeOffset.UtcNow);
        await BrokerPublisher.Publish(platform.VirtualHost.ConnectionStringFor("web3"), confirmation);
        await BrokerPublisher.Publish(platform.VirtualHost.ConnectionStringFor("web3"), confirmation);
        var paid = await platform.UntilStatus(id, OrderStatus.Paid);
        Assert.Equal(confirmation.PaymentId, paid.PaymentId);

        // A second, different payment for the same order is not taken: it is kept as unapplied (a refund is due).
        var second = confirmation with { PaymentId = Guid.NewGuid(), Reference = "0xdef" };
        await BrokerPublisher.Publish(platform.VirtualHost.ConnectionStringFor("web3"), second);
        var after = await TestInfrastructure.Eventually(async () => await platform.Order(id) is { UnappliedPayments.Count: 1 } o ? o : null, TimeSpan.FromSeconds(30), "the second payment is recorded as unapplied");
        Assert.Equal(confirmation.PaymentId, after.PaymentId);
        Assert.Equal(9.60m, after.PaidAmount);
        Assert.Single(after.History, h => h.To == OrderStatus.Paid);

        // A confirmation the broker does not vouch for (no user_id: any login that may write there could have sent it)
        // is not trusted: it goes to the saga's error queue and the order stays unpaid.
        var forgedOrder = await platform.Place(tenant);
        await platform.UntilStatus(forgedOrder, OrderStatus.AwaitingPayment);
        var forged = confirmation with { OrderId = forgedOrder, PaymentId = Guid.NewGuid() };
        await BrokerPublisher.Publish(platform.VirtualHost.ConnectionStringFor("web3"), forged, stampSender: false);
        await TestInfrastructure.Eventually(
            async () => (await platform.VirtualHost.PeekMessages("orders-order-state_error", 100)).FirstOrDefault(m => m.Payload.Contains(forged.PaymentId.ToString(), StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30),
            "the unvouched confirmation reaches orders-order-state_error");
        Assert.Equal(OrderStatus.AwaitingPayment, (await platform.Order(forgedOrder))!.CurrentState);

        // Any other login may not publish a payment confirmation at all: the broker refuses it.
        var factory = new ConnectionFactory { Uri = new Uri(platform.VirtualHost.ConnectionStringFor("orders")) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var refused = await Assert.ThrowsAnyAsync<OperationInterruptedException>(async () =>
            await channel.BasicPublishAsync("GoCoffee.Contracts.Payments:PaymentConfirmed", string.Empty, mandatory: false, new BasicProperties(), "{}"u8.ToArray()));
        Assert.Contains("ACCESS_REFUSED", refused.ShutdownReason?.ReplyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failed_webhook_deliveries_are_retried_with_back_off_logged_and_redelivered_on_request()
    {
        var tenant = await platform.Tenant("retry");
        platform.Receiver.FailuresLeft[$"/{tenant}"] = 2;
        using var hook = await platform.As(tenant).PutAsJsonAsync($"/api/orders/{tenant}/webhook", new { url = platform.Receiver.Url($"/{tenant}").ToString() });
        Assert.Equal(HttpStatusCode.OK, hook.StatusCode);
        await platform.Place(tenant);

        var delivered = await TestInfrastructure.Eventually(
            async () => (await platform.As(tenant).GetFromJsonAsync<JsonElement>($"/api/orders/{tenant}/webhook/deliveries?status=Delivered")).GetProperty("items").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } d ? (JsonElement?)d : null,
            TimeSpan.FromSeconds(30),
            "the delivery succeeds on its third attempt");
        var log = delivered!.Value.GetProperty("log").EnumerateArray().ToList();
        Assert.Equal(3, log.Count);
        Assert.Equal([500, 500, 200], log.Select(a => a.GetProperty("statusCode").GetInt32()));
        Assert.True(log[2].GetProperty("at").GetDateTimeOffset() - log[1].GetProperty("at").GetDateTimeOffset() >= log[1].GetProperty("at").GetDateTimeOffset() - log[0].GetProperty("at").GetDateTimeOffset() - TimeSpan.FromMilliseconds(50));
        var deliveryId = delivered.Value.GetProperty("id").GetString()!;
        Assert.Equal(3, platform.Receiver.Received.Count(r => r.DeliveryId == deliveryId));

        using var again = await platform.As(tenant).PostAsync($"/api/orders/{tenant}/webhook/deliveries/{deliveryId}/redeliver", null);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        await TestInfrastructure.Eventually(() => Task.FromResult(platform.Receiver.Received.Count(r => r.DeliveryId == deliveryId) == 4 ? (bool?)true : null), TimeSpan.FromSeconds(30), "the delivery is sent again with the same id");

        using var foreign = await platform.As(tenant).PostAsync($"/api/orders/{tenant}/webhook/deliveries/{Guid.NewGuid()}/redeliver", null);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
    }

    [Fact]
    public async Task Webhook_secret_is_stored_sealed_and_opens_only_for_its_tenant()
    {
        var tenant = await platform.Tenant("sealed");
        using var set = await platform.As(tenant).PutAsJsonAsync($"/api/orders/{tenant}/webhook", new { url = platform.Receiver.Url($"/{tenant}").ToString() });
        var secret = (await set.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;

        var stored = await platform.Load<WebhookEndpoint>(tenant);
        Assert.DoesNotContain(secret, stored!.SealedSecret, StringComparison.Ordinal);
        Assert.DoesNotContain(secret["whsec_".Length..], stored.SealedSecret, StringComparison.Ordinal);
        var secrets = platform.Orders.Services.GetRequiredService<WebhookSecrets>();
        Assert.Equal(secret, secrets.Open(tenant, stored.SealedSecret));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => secrets.Open("another-tenant", stored.SealedSecret));
    }

    /// <summary>The value of the Prometheus sample of <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    internal static string? Metric(string exposition, string name, params string[] labels) =>
        exposition.Split('\n')
            .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(line.Contains))
            .Select(line => line[(line.LastIndexOf('}') + 2)..].Split(' ')[0])
            .FirstOrDefault();

    private async Task<int> CountFor(string tenantId) =>
        (await platform.Orders.ClientForTenant(tenantId).GetFromJsonAsync<JsonElement>($"/api/orders/{tenantId}/orders")).GetProperty("total").GetInt32();
}
