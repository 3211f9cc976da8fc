using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GoCoffee.Testing;
using Xunit;

namespace GoCoffee.EndToEnd.Tests.Platform;

/// <summary>
/// A tenant onboarded through the gateway as an operator does it (its coffee and web3 services in its spec), and what
/// its own systems (point of sale, barista app) do through the gateway with the API key the onboarding returned.
/// </summary>
public sealed class CoffeeTenant
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private readonly PlatformFixture _platform;

    private CoffeeTenant(PlatformFixture platform, string id, string apiKey)
    {
        _platform = platform;
        Id = id;
        ApiKey = apiKey;
    }

    public string Id { get; }

    public string ApiKey { get; }

    /// <summary>
    /// Posts the tenant (premium tier: coffee with both features, web3 on ethereum, and AI when <paramref name="ai"/> is
    /// given: its <c>spec.services.ai</c>) through the gateway as an operator and waits until the gateway serves it with
    /// its API key.
    /// </summary>
    public static async Task<CoffeeTenant> Onboard(PlatformFixture platform, string prefix, object? ai = null)
    {
        var services = new Dictionary<string, object>
        {
            ["coffee"] = new { enabled = true, features = new[] { "premium-blends", "custom-orders" } },
            ["web3"] = new { enabled = true, networks = new[] { "ethereum" } },
        };
        if (ai is not null)
        {
            services["ai"] = ai;
        }

        var id = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        var body = await platform.AsOperator(HttpMethod.Post, "/api/tenants", HttpStatusCode.Accepted, new
        {
            apiVersion = "tenant.gocoffee.dev/v1",
            kind = "Tenant",
            metadata = new { name = id },
            spec = new
            {
                tenantId = id,
                tier = "premium",
                owners = new[] { "e2e@example.com" },
                resources = new { namespaces = 1, cpu = "2", memory = "4Gi", storage = "20Gi" },
                services,
            },
        });
        var tenant = new CoffeeTenant(platform, id, body.GetProperty("apiKey").GetProperty("key").GetString()!);
        await CoffeeTenant.Until(
            async () =>
            {
                using var response = await tenant.Send(HttpMethod.Get, $"/api/tenants/{id}");
                return response.StatusCode == HttpStatusCode.OK ? (bool?)true : null;
            },
            Timeout,
            () => $"the gateway serves {id} with its API key{Environment.NewLine}{platform.Diagnostics()}");
        return tenant;
    }

    /// <summary>A request through the gateway with this tenant's API key (and, for a write, an <c>Idempotency-Key</c> if given).</summary>
    public Task<HttpResponseMessage> Send(HttpMethod method, string path, object? body = null, string? idempotencyKey = null) =>
        _platform.SendThroughGateway(method, path, body, request => request.Headers.Add("X-Api-Key", ApiKey), idempotencyKey);

    /// <summary>Sends until the answer is not <paramref name="whileStatus"/> (the services learn a new tenant from the bus a moment after the gateway does).</summary>
    public Task<HttpResponseMessage> SendUntilNot(HttpStatusCode whileStatus, HttpMethod method, string path, object? body = null, string? idempotencyKey = null) =>
        SendUntilNot([whileStatus], method, path, body, idempotencyKey);

    /// <summary>Sends until the answer is none of <paramref name="whileStatus"/>, nor a 5xx.</summary>
    public async Task<HttpResponseMessage> SendUntilNot(HttpStatusCode[] whileStatus, HttpMethod method, string path, object? body = null, string? idempotencyKey = null)
    {
        var last = string.Empty;
        return (await CoffeeTenant.Until(
            async () =>
            {
                var response = await Send(method, path, body, idempotencyKey);
                if (!whileStatus.Contains(response.StatusCode) && (int)response.StatusCode < 500)
                {
                    return response;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                response.Dispose();
                return null;
            },
            Timeout,
            () => $"{method} {path} for {Id} answers other than {string.Join(" or ", whileStatus.Select(s => (int)s))} (last: {last})"))!;
    }

    /// <summary>Places a latte order through the gateway with <paramref name="idempotencyKey"/>; waits until the orders service knows the tenant's coffee access.</summary>
    public async Task<JsonElement> Place(string idempotencyKey)
    {
        using var response = await SendUntilNot(HttpStatusCode.Forbidden, HttpMethod.Post, $"/api/orders/{Id}/orders", LatteOrder, idempotencyKey);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"placing an order for {Id} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>
    /// Registers the model <c>coffee-recommendation</c> 1.0.0 (onnx) and deploys it as the AI workload
    /// <paramref name="name"/> on one T4 GPU; the tenant must have been onboarded with AI allowing that model and GPU.
    /// </summary>
    public async Task DeployRecommender(string name)
    {
        using (var model = await SendUntilNot(
                   [HttpStatusCode.Forbidden, HttpStatusCode.NotFound], HttpMethod.Post, "/api/ai/models",
                   new { name = "coffee-recommendation", version = "1.0.0", framework = "onnx", source = "gs://go-coffee-models/coffee-recommendation-1.0.0" }))
        {
            Assert.True(model.IsSuccessStatusCode, $"registering the model answered {(int)model.StatusCode}: {await model.Content.ReadAsStringAsync()}");
        }

        using var workload = await Send(HttpMethod.Post, "/api/ai/workloads", new
        {
            apiVersion = "ai.gocoffee.dev/v1",
            kind = "AIWorkload",
            metadata = new { name },
            spec = new
            {
                workloadType = "inference",
                model = new { name = "coffee-recommendation", version = "1.0.0" },
                resources = new { gpu = new { type = "nvidia-tesla-t4", count = 1 }, cpu = "1", memory = "1Gi" },
                scaling = new { minReplicas = 1, maxReplicas = 1, targetGPUUtilization = 70 },
            },
        });
        Assert.True(workload.IsSuccessStatusCode, $"deploying the workload answered {(int)workload.StatusCode}: {await workload.Content.ReadAsStringAsync()}");
    }

    /// <summary>The order as the orders service shows it (read by the operator, so polling does not spend the tenant's rate limit).</summary>
    public async Task<JsonElement> Order(Guid orderId) =>
        await _platform.AsOperator(HttpMethod.Get, $"/api/orders/{Id}/orders/{orderId}", HttpStatusCode.OK);

    /// <summary>Every order of the tenant, by id (read by the operator).</summary>
    public async Task<Dictionary<Guid, JsonElement>> Orders()
    {
        var orders = new Dictionary<Guid, JsonElement>();
        for (var page = 1; ; page++)
        {
            var answer = await _platform.AsOperator(HttpMethod.Get, $"/api/orders/{Id}/orders?pageSize=100&page={page}", HttpStatusCode.OK);
            foreach (var order in answer.GetProperty("items").EnumerateArray())
            {
                orders[order.GetProperty("id").GetGuid()] = order;
            }

            if (orders.Count >= answer.GetProperty("total").GetInt32())
            {
                return orders;
            }
        }
    }

    public async Task<JsonElement> UntilStatus(Guid orderId, string status)
    {
        var last = string.Empty;
        return (await CoffeeTenant.Until<JsonElement?>(
            async () =>
            {
                var order = await Order(orderId);
                last = order.GetProperty("status").GetString()!;
                return last == status ? order : (JsonElement?)null;
            },
            Timeout,
            () => $"order {orderId} of {Id} becomes {status} (it is {last})"))!.Value;
    }

    /// <summary>Waits until every one of <paramref name="orderIds"/> is <paramref name="status"/> (one listing per look, not one request per order).</summary>
    public async Task<Dictionary<Guid, JsonElement>> UntilStatus(IReadOnlyCollection<Guid> orderIds, string status)
    {
        var last = string.Empty;
        return (await CoffeeTenant.Until(
            async () =>
            {
                var orders = await Orders();
                var states = orderIds.Select(id => orders.TryGetValue(id, out var order) ? order.GetProperty("status").GetString() : "missing").ToList();
                last = string.Join(", ", states.GroupBy(s => s).Select(g => $"{g.Count()} {g.Key}"));
                return states.All(s => s == status) ? orders : null;
            },
            Timeout,
            () => $"all {orderIds.Count} orders of {Id} become {status} (they are: {last})"))!;
    }

    /// <summary>Every webhook delivery in the tenant's delivery log (read by the operator).</summary>
    public async Task<List<JsonElement>> WebhookDeliveries()
    {
        var deliveries = new List<JsonElement>();
        for (var page = 1; ; page++)
        {
            var answer = await _platform.AsOperator(HttpMethod.Get, $"/api/orders/{Id}/webhook/deliveries?pageSize=100&page={page}", HttpStatusCode.OK);
            deliveries.AddRange(answer.GetProperty("items").EnumerateArray());
            if (deliveries.Count >= answer.GetProperty("total").GetInt32())
            {
                return deliveries;
            }
        }
    }

    /// <summary>Points the tenant's webhook at <paramref name="url"/>; returns the signing secret.</summary>
    public async Task<string> SetWebhook(Uri url)
    {
        using var response = await SendUntilNot(HttpStatusCode.Forbidden, HttpMethod.Put, $"/api/orders/{Id}/webhook", new { url = url.ToString() });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"PUT webhook for {Id} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("secret").GetString()!;
    }

    /// <summary>What a tenant's receiver checks: <c>GoCoffee-Signature: t=&lt;unix&gt;,v1=&lt;hex HMAC-SHA256 of "t.deliveryId.body"&gt;</c> with its secret.</summary>
    public static bool HasValidSignature(ReceivedWebhook webhook, string secret, out long timestamp)
    {
        timestamp = 0;
        var parts = webhook.Signature.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("t", out var t) || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out timestamp) || !parts.TryGetValue("v1", out var v1))
        {
            return false;
        }

        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{webhook.DeliveryId}.{webhook.Body}")));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(v1));
    }

    /// <summary><see cref="TestInfrastructure.Eventually{T}"/>, whose failure says what was seen last (<paramref name="because"/> is read at the timeout).</summary>
    public static async Task<T> Until<T>(Func<Task<T?>> probe, TimeSpan timeout, Func<string> because)
    {
        try
        {
            return await TestInfrastructure.Eventually(probe, timeout, "waiting");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"Timed out after {timeout}: {because()}", ex.InnerException);
        }
    }

    public static IReadOnlyList<string> History(JsonElement order) =>
        [.. order.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("to").GetString()!)];

    private static readonly object LatteOrder = new { items = new[] { new { itemId = "latte", size = "medium", quantity = 1, extras = new[] { "oat-milk" } } }, pickupName = "e2e" };
}

/// <summary>Requests through the gateway, shared by the coffee tests.</summary>
public static class GatewayRequests
{
    /// <summary>One request through the gateway; <paramref name="authenticate"/> adds the caller's credential.</summary>
    public static async Task<HttpResponseMessage> SendThroughGateway(
        this PlatformFixture platform, HttpMethod method, string path, object? body, Action<HttpRequestMessage>? authenticate, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(platform.Gateway.BaseAddress, path));
        if (body is not null)
        {
            request.Content = body as HttpContent ?? JsonContent.Create(body);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        authenticate?.Invoke(request);
        return await platform.Http.SendAsync(request);
    }

    /// <summary>As the platform operator; retried while the gateway has a (restarting) service out of rotation (5xx) or asks to slow down (429).</summary>
    public static async Task<JsonElement> AsOperator(this PlatformFixture platform, HttpMethod method, string path, HttpStatusCode expected, object? body = null)
    {
        var last = string.Empty;
        return (await CoffeeTenant.Until<JsonElement?>(
            async () =>
            {
                using var response = await platform.SendThroughGateway(
                    method, path, body, request => request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", platform.OperatorToken));
                var text = await response.Content.ReadAsStringAsync();
                last = $"{(int)response.StatusCode} {text}";
                if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    return (JsonElement?)null;
                }

                Assert.True(response.StatusCode == expected, $"{method} {path} answered {last}");
                return JsonDocument.Parse(text).RootElement.Clone();
            },
            CoffeeTenant.Timeout,
            () => $"{method} {path} answers {(int)expected} (last: {last})"))!.Value;
    }
}
