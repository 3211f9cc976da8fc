using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace GoCoffee.Gateway.Tests;

/// <summary>Tiers, suspension and rate limits at the edge; what a client sees when a service is slow, flaky or down.</summary>
[Collection(GatewayCollection.Name)]
public sealed class AccessAndResilienceTests(GatewayPlatform platform)
{
    [Fact]
    public async Task A_tenant_that_exhausts_its_tier_limit_gets_429_problems_with_Retry_After()
    {
        using var limited = platform.AsTenant("limited");
        var limit = platform.Directory.FindTenant("limited")!.RateLimitPerMinute;
        Assert.Equal(60, limit);

        HttpResponseMessage? refused = null;
        var accepted = 0;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < limit * 3 && refused is null; i++)
        {
            var response = await limited.GetAsync("/api/tenants/limited");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                accepted++;
                response.Dispose();
            }
        }

        Assert.NotNull(refused);

        // The bucket holds a minute's worth and refills by one a second. .NET refills partitioned buckets every 100 ms,
        // from the last refill: a bucket that sat full tops up once more in the first 100 ms of a burst.
        Assert.InRange(accepted, limit - 2, (limit * 6 / 5) + (int)clock.Elapsed.TotalSeconds);
        var problem = await Problem.Assert(refused, HttpStatusCode.TooManyRequests, "60 requests per minute");
        Assert.True(refused.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 and <= 2 }, $"Retry-After: {refused.Headers.RetryAfter}");
        Assert.Equal(60, problem.GetProperty("limitPerMinute").GetInt32());

        // Per tenant: another tenant is not held back by this one.
        using var alpha = platform.AsTenant("alpha");
        Assert.Equal(HttpStatusCode.OK, (await alpha.GetAsync("/api/tenants/alpha")).StatusCode);
    }

    [Fact]
    public async Task A_suspended_tenant_gets_403_with_the_reason()
    {
        using var sleepy = platform.AsTenant("sleepy");
        var problem = await Problem.Assert(await sleepy.GetAsync("/api/tenants/sleepy"), HttpStatusCode.Forbidden, "suspended: unpaid invoice 2024-117");
        Assert.Equal("unpaid invoice 2024-117", problem.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_tenant_whose_tier_lacks_a_service_gets_403_naming_the_feature()
    {
        using var freebie = platform.AsTenant("freebie");
        var problem = await Problem.Assert(await freebie.GetAsync("/api/ai/workloads"), HttpStatusCode.Forbidden, "'ai' feature");
        Assert.Equal("ai", problem.GetProperty("feature").GetString());
        Assert.Equal("free", problem.GetProperty("tier").GetString());

        // A premium tenant's request reaches the AI service (which has no such route: its own 404).
        using var premium = platform.AsTenant("premium");
        using var reached = await premium.GetAsync("/api/ai/no-such-route");
        Assert.Equal(HttpStatusCode.NotFound, reached.StatusCode);
    }

    [Fact]
    public async Task A_service_that_is_down_is_a_quick_503_problem_not_a_hang()
    {
        using var premium = platform.AsTenant("premium");
        foreach (var attempt in Enumerable.Range(1, 3))
        {
            var clock = Stopwatch.StartNew();
            using var response = await premium.GetAsync("/api/web3/invoices");
            var problem = await Problem.Assert(response, HttpStatusCode.ServiceUnavailable, "'web3'");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"attempt {attempt} took {clock.Elapsed}");
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.Equal("web3", problem.GetProperty("service").GetString());
        }
    }

    [Fact]
    public async Task A_service_slower_than_the_routes_timeout_is_a_504_problem()
    {
        using var alpha = platform.AsTenant("alpha");
        var clock = Stopwatch.StartNew();
        await Problem.Assert(await alpha.GetAsync("/api/echo/slow"), HttpStatusCode.GatewayTimeout);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Reads_and_requests_with_an_Idempotency_Key_are_retried_other_writes_are_not()
    {
        using var alpha = platform.AsTenant("alpha");

        var get = await Send(alpha, HttpMethod.Get, idempotencyKey: null);
        Assert.Equal(HttpStatusCode.OK, get.Response.StatusCode);
        Assert.Equal(2, platform.Echo.AttemptsOf(get.RequestId));

        var keyed = await Send(alpha, HttpMethod.Post, idempotencyKey: "order-77");
        Assert.Equal(HttpStatusCode.OK, keyed.Response.StatusCode);
        Assert.Equal(2, platform.Echo.AttemptsOf(keyed.RequestId));
        Assert.Equal(2, JsonDocument.Parse(await keyed.Response.Content.ReadAsStringAsync()).RootElement.GetProperty("attempts").GetInt32());

        var unkeyed = await Send(alpha, HttpMethod.Post, idempotencyKey: null);
        await Problem.Assert(unkeyed.Response, HttpStatusCode.BadGateway);
        Assert.Equal(1, platform.Echo.AttemptsOf(unkeyed.RequestId));
    }

    private static async Task<(HttpResponseMessage Response, string RequestId)> Send(HttpClient client, HttpMethod method, string? idempotencyKey)
    {
        var requestId = Guid.NewGuid().ToString("N");
        var request = new HttpRequestMessage(method, "/api/echo/flaky");
        request.Headers.Add("X-Request-Id", requestId);
        if (method == HttpMethod.Post)
        {
            request.Content = JsonContent.Create(new { coffee = "flat white" });
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return (await client.SendAsync(request), requestId);
    }
}
