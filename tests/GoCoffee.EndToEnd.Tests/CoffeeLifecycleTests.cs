using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GoCoffee.EndToEnd.Tests.Platform;
using GoCoffee.Testing;
using Xunit;
using Xunit.Abstractions;

namespace GoCoffee.EndToEnd.Tests;

/// <summary>
/// A coffee order's whole life as tenants and providers see it: everything through the gateway (the tenant onboarded by
/// the operator, its systems with its API key, the card provider's callback on the public callback route), shop events
/// on the broker, and the crypto payment as a real transaction on the run's anvil node.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class CoffeeLifecycleTests(PlatformFixture platform, ITestOutputHelper output)
{
    private const string CallbackPath = "/api/orders/payments/callbacks/sandbox";

    [Fact]
    public async Task Card_order_through_the_gateway_is_paid_by_the_providers_signed_callback_after_the_second_step_and_completed_with_signed_webhooks()
    {
        await using var receiver = await WebhookReceiver.Start();
        var tenants = await Task.WhenAll(CoffeeTenant.Onboard(platform, "card"), CoffeeTenant.Onboard(platform, "other"));
        var (tenant, other) = (tenants[0], tenants[1]);
        var secret = await tenant.SetWebhook(receiver.Url($"/{tenant.Id}"));

        // Placed with an Idempotency-Key: a repeat through the gateway is the same order, answered the same way.
        var key = $"pos-{Guid.NewGuid():N}";
        var placed = await tenant.Place(key);
        var orderId = placed.GetProperty("id").GetGuid();
        using (var repeat = await tenant.Send(HttpMethod.Post, $"/api/orders/{tenant.Id}/orders", new { items = new[] { new { itemId = "latte", size = "medium", quantity = 1, extras = new[] { "oat-milk" } } }, pickupName = "e2e" }, key))
        {
            Assert.Equal(HttpStatusCode.Created, repeat.StatusCode);
            Assert.Equal("true", repeat.Headers.GetValues("Idempotency-Replayed").Single());
            Assert.Equal(orderId, (await repeat.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        }

        await tenant.UntilStatus(orderId, "AwaitingPayment");

        // The sandbox's 3-D Secure card: a second step is required.
        using var charge = await tenant.Send(HttpMethod.Post, $"/api/orders/{tenant.Id}/orders/{orderId}/payments", new { token = "tok_3ds" });
        var payment = await charge.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(charge.StatusCode == HttpStatusCode.Accepted, $"paying answered {(int)charge.StatusCode}: {payment}");
        Assert.Equal("RequiresAction", payment.GetProperty("status").GetString());
        var paymentId = payment.GetProperty("id").GetGuid();
        var callback = JsonSerializer.Serialize(new { paymentId, reference = payment.GetProperty("reference").GetString(), status = "succeeded" });

        // The public callback route reaches the orders service without a credential; the service alone judges the
        // signature: a forged one and a stale (replayed) one are refused by it, and change nothing.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var stale = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds();
        foreach (var (signature, reason) in new[] { ($"t={now},v1={new string('0', 64)}", "does not match"), ($"t={stale},v1={Sign(stale, callback)}", "tolerance") })
        {
            using var refused = await Callback(callback, signature);
            var problem = await refused.Content.ReadAsStringAsync();
            Assert.True(refused.StatusCode == HttpStatusCode.Unauthorized, $"a callback signed '{signature}' answered {(int)refused.StatusCode}: {problem}");
            Assert.Contains("Sandbox-Signature", problem, StringComparison.Ordinal);
            Assert.Contains(reason, problem, StringComparison.Ordinal);
        }

        Assert.Equal("AwaitingPayment", (await tenant.Order(orderId)).GetProperty("status").GetString());
        Assert.Equal("RequiresAction", (await Payments(tenant, orderId)).Single().GetProperty("status").GetString());

        // The customer passes the second step; the provider confirms later by its signed callback to the public route.
        using var step = await tenant.Send(HttpMethod.Post, payment.GetProperty("nextAction").GetProperty("url").GetString()!, new { code = "424242" });
        Assert.Equal(HttpStatusCode.Accepted, step.StatusCode);
        Assert.Equal("Processing", (await step.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        var paid = await tenant.UntilStatus(orderId, "Paid");
        Assert.Equal(paymentId, paid.GetProperty("payment").GetProperty("id").GetGuid());
        Assert.Equal("card", paid.GetProperty("payment").GetProperty("method").GetString());
        var gatewayLine = await TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Gateway.LogEvents.FirstOrDefault(e => e["RequestMethod"] == "POST" && e["RequestPath"] == CallbackPath && e["StatusCode"] == "200")),
            TimeSpan.FromSeconds(10),
            "the gateway logged the provider's callback, answered 200");
        output.WriteLine($"the provider's callback through the gateway: {gatewayLine}");

        // The provider repeats its callback (providers do until answered 2xx): answered, applied once.
        using (var repeated = await Callback(callback, $"t={now},v1={Sign(now, callback)}"))
        {
            Assert.Equal(HttpStatusCode.OK, repeated.StatusCode);
        }

        // Brewing from the barista app (through the gateway), ready and picked-up from the shop's system (shop events).
        using (var brewing = await tenant.Send(HttpMethod.Post, $"/api/orders/{tenant.Id}/orders/{orderId}/brewing"))
        {
            Assert.Equal(HttpStatusCode.Accepted, brewing.StatusCode);
        }

        await tenant.UntilStatus(orderId, "Brewing");
        await ShopSystem.Publish(platform, orderId, tenant.Id, "ready");
        await tenant.UntilStatus(orderId, "Ready");
        await ShopSystem.Publish(platform, orderId, tenant.Id, "picked-up");
        var completed = await tenant.UntilStatus(orderId, "Completed");
        Assert.Equal(["Placed", "AwaitingPayment", "Paid", "Brewing", "Ready", "Completed"], CoffeeTenant.History(completed));
        Assert.Equal(0, completed.GetProperty("unappliedPayments").GetArrayLength());
        Assert.Equal("Succeeded", (await Payments(tenant, orderId)).Single().GetProperty("status").GetString());

        // The tenant's webhook got every step, signed with its secret (timestamp included), each delivery id once.
        string[] steps = ["order.awaiting_payment", "order.paid", "order.brewing", "order.ready", "order.completed"];
        var received = await TestInfrastructure.Eventually(
            () => Task.FromResult(receiver.Received.Where(r => r.Path == $"/{tenant.Id}").ToList() is { Count: >= 5 } all ? all : null),
            CoffeeTenant.Timeout,
            "the tenant's receiver gets a webhook for every step");
        Assert.Equal(steps, received.Select(r => r.Event));
        Assert.Equal(received.Count, received.Select(r => r.DeliveryId).Distinct().Count());
        foreach (var webhook in received)
        {
            Assert.True(CoffeeTenant.HasValidSignature(webhook, secret, out var timestamp), $"{webhook.Event}: signature {webhook.Signature} does not verify");
            Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - timestamp, 0, 300);
            using var body = JsonDocument.Parse(webhook.Body);
            Assert.Equal(webhook.DeliveryId, body.RootElement.GetProperty("id").GetString());
            Assert.Equal(orderId, body.RootElement.GetProperty("data").GetProperty("id").GetGuid());
        }

        // Another tenant's credential: refused on the order, its payments, its refund, its cancellation and the webhook log.
        foreach (var (method, path) in new[]
                 {
                     (HttpMethod.Get, $"/api/orders/{tenant.Id}/orders/{orderId}"),
                     (HttpMethod.Get, $"/api/orders/{tenant.Id}/orders/{orderId}/payments"),
                     (HttpMethod.Post, $"/api/orders/{tenant.Id}/orders/{orderId}/refunds"),
                     (HttpMethod.Post, $"/api/orders/{tenant.Id}/orders/{orderId}/cancel"),
                     (HttpMethod.Get, $"/api/orders/{tenant.Id}/webhook/deliveries"),
                 })
        {
            using var refused = await other.Send(method, path, method == HttpMethod.Post ? new { } : null);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{other.Id}'s key on {method} {path} answered {(int)refused.StatusCode}: {await refused.Content.ReadAsStringAsync()}");
        }

        // Under its own tenant id the other tenant does not find the order either.
        using (var notFound = await other.Send(HttpMethod.Get, $"/api/orders/{other.Id}/orders/{orderId}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        }

        var after = await tenant.Order(orderId);
        Assert.Equal("Completed", after.GetProperty("status").GetString());
        Assert.Equal(0m, after.GetProperty("payment").GetProperty("refunded").GetDecimal());
        Assert.Empty(await BrokerQueues.NonEmptyErrorQueues(platform.VirtualHost.Name));
    }

    [Fact]
    public async Task Crypto_order_through_the_gateway_is_paid_exactly_once_by_a_real_transaction_on_anvil_once_confirmed()
    {
        var chain = new AnvilChain(platform);
        var tenant = await CoffeeTenant.Onboard(platform, "crypto");

        // The tenant's account-level extended PUBLIC key (m/44'/60'/0'): the platform never sees a private key.
        var xpub = new NBitcoin.ExtKey().Derive(new NBitcoin.KeyPath("m/44'/60'/0'")).Neuter().ToString(NBitcoin.Network.Main);
        using (var wallet = await tenant.Send(HttpMethod.Put, $"/api/web3/tenants/{tenant.Id}/wallets/ethereum", new { extendedPublicKey = xpub }))
        {
            Assert.True(wallet.StatusCode == HttpStatusCode.OK, $"registering the wallet answered {(int)wallet.StatusCode}: {await wallet.Content.ReadAsStringAsync()}");
        }

        var placed = await tenant.Place($"pos-{Guid.NewGuid():N}");
        var orderId = placed.GetProperty("id").GetGuid();
        await tenant.UntilStatus(orderId, "AwaitingPayment");

        // The invoice, through the gateway (the web3 service learns the tenant's networks and the order from the bus).
        using var issued = await tenant.SendUntilNot(
            [HttpStatusCode.Forbidden, HttpStatusCode.NotFound], HttpMethod.Post, $"/api/web3/tenants/{tenant.Id}/invoices", new { orderId, network = "ethereum" });
        var invoice = await issued.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(issued.StatusCode == HttpStatusCode.Created, $"issuing the invoice answered {(int)issued.StatusCode}: {invoice}");
        Assert.Equal("New", invoice.GetProperty("state").GetString());
        Assert.Equal(placed.GetProperty("total").GetDecimal(), invoice.GetProperty("fiatAmount").GetDecimal());
        var invoiceId = invoice.GetProperty("id").GetGuid();
        var confirmations = invoice.GetProperty("requiredConfirmations").GetInt32();

        // A real transaction to the deposit address, then the confirmations it needs.
        var due = BigInteger.Parse(invoice.GetProperty("amountDueBaseUnits").GetString()!, CultureInfo.InvariantCulture);
        var (transaction, block) = await chain.Pay(invoice.GetProperty("address").GetString()!, due);
        output.WriteLine($"paid {due} wei to {invoice.GetProperty("address").GetString()} in {transaction} (block {block}); {confirmations} confirmations needed");
        await chain.Mine(confirmations);

        var settled = await UntilInvoice(tenant, invoiceId, "Settled");
        var onChain = Assert.Single(settled.GetProperty("payments").EnumerateArray());
        Assert.Equal(transaction, onChain.GetProperty("transactionHash").GetString(), ignoreCase: true);
        var paid = await tenant.UntilStatus(orderId, "Paid");
        Assert.Equal("crypto", paid.GetProperty("payment").GetProperty("method").GetString());
        Assert.Equal(invoiceId, paid.GetProperty("payment").GetProperty("id").GetGuid());
        Assert.Equal(placed.GetProperty("total").GetDecimal(), paid.GetProperty("payment").GetProperty("amount").GetDecimal());

        // More blocks on top: once the watcher has read past them, the order is still paid once, by that invoice.
        await chain.Mine(5);
        var head = await chain.Head();
        await TestInfrastructure.Eventually(
            async () => (await platform.AsOperator(HttpMethod.Get, "/api/web3/networks", HttpStatusCode.OK)).EnumerateArray()
                .Any(n => n.GetProperty("name").GetString() == "ethereum" && n.GetProperty("lastBlock").GetInt64() >= head) ? (bool?)true : null,
            CoffeeTenant.Timeout,
            $"the watcher reads ethereum up to block {head}");
        var after = await tenant.Order(orderId);
        Assert.Equal(["Placed", "AwaitingPayment", "Paid"], CoffeeTenant.History(after));
        Assert.Equal(0, after.GetProperty("unappliedPayments").GetArrayLength());
        Assert.Equal("Settled", (await Invoice(tenant, invoiceId)).GetProperty("state").GetString());
        Assert.Empty(await BrokerQueues.NonEmptyErrorQueues(platform.VirtualHost.Name));
    }

    private static async Task<JsonElement> Invoice(CoffeeTenant tenant, Guid invoiceId)
    {
        using var response = await tenant.Send(HttpMethod.Get, $"/api/web3/tenants/{tenant.Id}/invoices/{invoiceId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<JsonElement> UntilInvoice(CoffeeTenant tenant, Guid invoiceId, string state)
    {
        var last = string.Empty;
        return (await CoffeeTenant.Until<JsonElement?>(
            async () =>
            {
                var invoice = await Invoice(tenant, invoiceId);
                last = invoice.GetProperty("state").GetString()!;
                return last == state ? invoice : null;
            },
            CoffeeTenant.Timeout,
            () => $"invoice {invoiceId} becomes {state} (it is {last})"))!.Value;
    }

    /// <summary>The provider's callback, as a provider sends it: to the platform's public address (the gateway), no credential.</summary>
    private Task<HttpResponseMessage> Callback(string body, string signature) =>
        platform.SendThroughGateway(HttpMethod.Post, CallbackPath, new StringContent(body, Encoding.UTF8, "application/json"), request => request.Headers.Add("Sandbox-Signature", signature));

    private string Sign(long unixSeconds, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(platform.SandboxCallbackSecret), Encoding.UTF8.GetBytes($"{unixSeconds.ToString(CultureInfo.InvariantCulture)}.{body}")));

    private static async Task<List<JsonElement>> Payments(CoffeeTenant tenant, Guid orderId)
    {
        using var response = await tenant.Send(HttpMethod.Get, $"/api/orders/{tenant.Id}/orders/{orderId}/payments");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()];
    }
}
