using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoCoffee.Orders.Ordering;
using GoCoffee.Testing;
using static GoCoffee.Orders.Tests.OrdersPlatform;

namespace GoCoffee.Orders.Tests;

/// <summary>Malformed and hostile requests and shop events: each is refused with a reason naming what is wrong, and nothing changes.</summary>
public sealed class HostileRequestTests(OrdersPlatform platform) : IClassFixture<OrdersPlatform>
{
    private const string Latte = """{"items":[{"itemId":"latte","size":"small","quantity":1}]}""";

    public static TheoryData<string, string, string, int, string> Requests => new()
    {
        // name, path (under /api/orders/{tenant}), body, expected status, text the problem must contain
        { "no items", "/orders", """{"items":[]}""", 400, "items" },
        { "items null", "/orders", """{"items":null}""", 400, "items" },
        { "not JSON", "/orders", "{items:", 400, "not valid JSON" },
        { "array body", "/orders", "[1,2]", 400, "not valid JSON" },
        { "null body", "/orders", "null", 400, "body" },
        { "unknown item", "/orders", """{"items":[{"itemId":"unicorn-latte","size":"small","quantity":1}]}""", 400, "items[0].itemId" },
        { "unknown size", "/orders", """{"items":[{"itemId":"latte","size":"venti","quantity":1}]}""", 400, "items[0].size" },
        { "zero quantity", "/orders", """{"items":[{"itemId":"latte","size":"small","quantity":0}]}""", 400, "items[0].quantity" },
        { "negative quantity", "/orders", """{"items":[{"itemId":"latte","size":"small","quantity":-5}]}""", 400, "items[0].quantity" },
        { "huge quantity", "/orders", """{"items":[{"itemId":"latte","size":"small","quantity":100000}]}""", 400, "items[0].quantity" },
        { "quantity overflow", "/orders", """{"items":[{"itemId":"latte","size":"small","quantity":99999999999999999999}]}""", 400, "quantity" },
        { "quantity as string", "/orders", """{"items":[{"itemId":"latte","size":"small","quantity":"1"}]}""", 400, "quantity" },
        { "unknown extra", "/orders", """{"items":[{"itemId":"latte","size":"small","quantity":1,"extras":["gold-flakes"]}]}""", 400, "items[0].extras[0]" },
        { "extra twice", "/orders", """{"items":[{"itemId":"latte","size":"small","quantity":1,"extras":["oat-milk","oat-milk"]}]}""", 400, "items[0].extras[1]" },
        { "too many extras", "/orders", """{"items":[{"itemId":"latte","size":"small","quantity":1,"extras":["a","b","c","d","e","f"]}]}""", 400, "items[0].extras" },
        { "null line", "/orders", """{"items":[null]}""", 400, "items[0]" },
        { "duplicate key", "/orders", """{"items":[{"itemId":"latte","itemId":"mocha","size":"small","quantity":1}]}""", 400, "itemId" },
        { "too many lines", "/orders", "{\"items\":[" + string.Join(',', Enumerable.Repeat("""{"itemId":"latte","size":"small","quantity":1}""", 21)) + "]}", 400, "items" },
        { "pickup name with control characters", "/orders", """{"items":[{"itemId":"latte","size":"small","quantity":1}],"pickupName":"Bob\u0007"}""", 400, "pickupName" },
        { "pickup name too long", "/orders", """{"items":[{"itemId":"latte","size":"small","quantity":1}],"pickupName":"" }""".Replace("\"\" }", "\"" + new string('x', 41) + "\"}"), 400, "pickupName" },
        { "custom note without the feature", "/orders", """{"items":[{"itemId":"latte","size":"small","quantity":1,"note":"'; drop table orders;--"}]}""", 403, "custom-orders" },
        { "premium blend without the feature", "/orders", """{"items":[{"itemId":"blue-mountain","size":"small","quantity":1}]}""", 403, "premium-blends" },
        { "deeply nested", "/orders", new string('[', 100) + new string(']', 100), 400, "body" },
        { "oversized body", "/orders", "{\"items\":[],\"pickupName\":\"" + new string('x', 70_000) + "\"}", 413, "body" },
        { "menu with unknown currency", "/menu", """{"currency":"XBT","items":[{"id":"a","name":"A","sizes":[{"name":"s","price":1}]}]}""", 400, "currency" },
        { "menu price with too many decimals", "/menu", """{"currency":"JPY","items":[{"id":"a","name":"A","sizes":[{"name":"s","price":1.5}]}]}""", 400, "items[0].sizes[0].price" },
        { "menu negative price", "/menu", """{"currency":"EUR","items":[{"id":"a","name":"A","sizes":[{"name":"s","price":-1}]}]}""", 400, "items[0].sizes[0].price" },
        { "menu item id with a slash", "/menu", """{"currency":"EUR","items":[{"id":"../a","name":"A","sizes":[{"name":"s","price":1}]}]}""", 400, "items[0].id" },
        { "menu item listed twice", "/menu", """{"currency":"EUR","items":[{"id":"a","name":"A","sizes":[{"name":"s","price":1}]},{"id":"a","name":"B","sizes":[{"name":"s","price":1}]}]}""", 400, "items[1].id" },
        { "menu without items", "/menu", """{"currency":"EUR","items":[]}""", 400, "items" },
        { "menu item without sizes", "/menu", """{"currency":"EUR","items":[{"id":"a","name":"A","sizes":[]}]}""", 400, "items[0].sizes" },
        { "webhook to a file URL", "/webhook", """{"url":"file:///etc/passwd"}""", 400, "url" },
        { "webhook with credentials", "/webhook", """{"url":"https://user:pw@example.com/hook"}""", 400, "url" },
        { "webhook relative URL", "/webhook", """{"url":"/hook"}""", 400, "url" },
        { "webhook without URL", "/webhook", "{}", 400, "url" },
        { "payment without token", "/orders/{order}/payments", "{}", 400, "token" },
        { "payment with unknown token", "/orders/{order}/payments", """{"token":"4242424242424242"}""", 422, "token" },
        { "refund before payment", "/orders/{order}/refunds", """{"amount":1}""", 409, "the order is AwaitingPayment" },
        { "brewing before payment", "/orders/{order}/brewing", "", 409, "the order is AwaitingPayment" },
        { "picked-up before payment", "/orders/{order}/picked-up", "", 409, "the order is AwaitingPayment" },
        { "cancel with control characters in the reason", "/orders/{order}/cancel", """{"reason":"\u0000"}""", 400, "reason" },
        { "payment for an unknown order", $"/orders/{Guid.Empty}/payments", """{"token":"tok_approve"}""", 404, "order" },
        { "payment for a malformed order id", "/orders/not-a-guid/payments", """{"token":"tok_approve"}""", 404, "order" },
        { "list with an unknown status", "/orders?status=Stolen", "GET", 400, "status" },
        { "list with a bad time", "/orders?placedFrom=yesterday", "GET", 400, "placedFrom" },
        { "list with a huge page size", "/orders?pageSize=100000", "GET", 400, "pageSize" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Hostile_request_is_refused_with_a_reason_and_changes_nothing(string name, string path, string body, int status, string reason)
    {
        var tenant = await Setup();
        var order = await platform.Place(tenant);
        await platform.UntilStatus(order, OrderStatus.AwaitingPayment);
        var before = await Snapshot(tenant, order);
        var client = platform.As(tenant);
        var url = $"/api/orders/{tenant}{path.Replace("{order}", order.ToString())}";

        using var response = body == "GET"
            ? await client.GetAsync(url)
            : path.EndsWith("/menu") || path.EndsWith("/webhook")
                ? await client.PutAsync(url, new StringContent(body, System.Text.Encoding.UTF8, "application/json"))
                : await Send(client, url, body);

        Assert.True(status == (int)response.StatusCode, $"{name}: expected {status}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync());
        Assert.Equal(before, await Snapshot(tenant, order));
    }

    public static TheoryData<string, string, string> ShopEvents => new()
    {
        { "not JSON", "not json at all", string.Empty },
        { "unknown step", """{"orderId":"{order}","tenantId":"{tenant}","event":"teleported","shopId":"s1","at":"2026-01-01T00:00:00Z"}""", "/event" },
        { "missing orderId", """{"tenantId":"{tenant}","event":"brewing","shopId":"s1","at":"2026-01-01T00:00:00Z"}""", "orderId" },
        { "extra property", """{"orderId":"{order}","tenantId":"{tenant}","event":"brewing","shopId":"s1","at":"2026-01-01T00:00:00Z","price":0}""", "price" },
        { "bad time", """{"orderId":"{order}","tenantId":"{tenant}","event":"brewing","shopId":"s1","at":"tomorrow"}""", "/at" },
        { "another tenant's order", """{"orderId":"{order}","tenantId":"someone-else","event":"brewing","shopId":"s1","at":"2026-01-01T00:00:00Z"}""", "there is no order" },
        { "step the order's state does not allow", """{"orderId":"{order}","tenantId":"{tenant}","event":"ready","shopId":"s1","at":"2026-01-01T00:00:00Z"}""", "the order is AwaitingPayment" },
        { "key given twice", """{"orderId":"{order}","tenantId":"{tenant}","event":"brewing","event":"ready","shopId":"s1","at":"2026-01-01T00:00:00Z"}""", "given twice" },
    };

    [Theory]
    [MemberData(nameof(ShopEvents))]
    public async Task Invalid_shop_event_goes_to_the_error_queue_with_the_reason_and_changes_nothing(string name, string template, string reason)
    {
        var tenant = await Setup();
        var order = await platform.Place(tenant);
        await platform.UntilStatus(order, OrderStatus.AwaitingPayment);
        var before = await Snapshot(tenant, order);
        var marker = Guid.NewGuid().ToString("N");
        var json = template.Replace("{order}", order.ToString()).Replace("{tenant}", tenant);
        json = json.StartsWith('{') ? json.Insert(json.LastIndexOf('}'), string.Empty) : json + " " + marker;
        await platform.PublishShopEvent(json);

        var rejected = await TestInfrastructure.Eventually(
            async () => (await platform.VirtualHost.PeekMessages("orders-shop-events_error", 200)).FirstOrDefault(m => m.Payload == json),
            TimeSpan.FromSeconds(60),
            $"{name}: the shop event reaches orders-shop-events_error");
        Assert.False(string.IsNullOrEmpty(rejected.FaultMessage), $"{name}: the error queue names no reason");
        Assert.Contains(reason, rejected.FaultMessage);
        Assert.Equal(before, await Snapshot(tenant, order));
    }

    private async Task<string> Setup() => await platform.Tenant("hostile");

    private static Task<HttpResponseMessage> Send(HttpClient client, string url, string body) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
            Headers = { { "Idempotency-Key", Guid.NewGuid().ToString() } },
        });

    private async Task<string> Snapshot(string tenant, Guid order)
    {
        var state = await platform.Order(order);
        var menu = await platform.As(tenant).GetStringAsync($"/api/orders/{tenant}/menu");
        using var hook = await platform.As(tenant).GetAsync($"/api/orders/{tenant}/webhook");
        var payments = await platform.As(tenant).GetStringAsync($"/api/orders/{tenant}/orders/{order}/payments");
        return JsonSerializer.Serialize(new { orders = await platform.OrderCount(), state!.CurrentState, state.UpdatedAt, transitions = state.History.Count, menu, hook = hook.StatusCode, payments });
    }
}
