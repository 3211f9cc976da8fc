using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GoCoffee.ServiceDefaults.Security;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GoCoffee.Gateway.Tests;

/// <summary>What the gateway does to every request: tenant headers dropped, credentials replaced, request ids, traces, limits, 404s, CORS, docs.</summary>
[Collection(GatewayCollection.Name)]
public sealed class EdgeTests(GatewayPlatform platform)
{
    [Fact]
    public async Task A_service_sees_the_gateways_internal_token_for_the_resolved_tenant_and_never_the_clients_tenant_headers_or_credentials()
    {
        using var alpha = platform.AsTenant("alpha");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/echo/headers");
        request.Headers.Add("X-Tenant-Id", "bravo");
        request.Headers.Add("Tenant", "bravo");
        request.Headers.Add("X-GoCoffee-Tenant-Id", "bravo");
        using var response = await alpha.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var headers = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("headers");
        Assert.DoesNotContain(headers.EnumerateObject(), h => h.Name.Contains("tenant", StringComparison.OrdinalIgnoreCase));
        Assert.False(headers.TryGetProperty("x-api-key", out _), headers.ToString());
        var authorization = headers.GetProperty("authorization").GetString()!;
        Assert.StartsWith("Bearer ", authorization, StringComparison.Ordinal);

        var validated = await new JsonWebTokenHandler().ValidateTokenAsync(authorization["Bearer ".Length..], new TokenValidationParameters
        {
            ValidIssuer = "gocoffee-gateway",
            ValidAudience = "echo",
            IssuerSigningKey = InternalTokenKeys.PublicKey(DevelopmentKeys.InternalTokenPublicKey, "development public key"),
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        });
        Assert.True(validated.IsValid, validated.Exception?.Message);
        Assert.Equal("alpha", validated.Claims[InternalClaims.TenantId]);
        Assert.Equal(CallerScope.Tenant, validated.Claims[InternalClaims.Scope]);
        Assert.Equal($"apikey:{platform.KeyOf("alpha").KeyId}", validated.Claims[InternalClaims.Subject]);
        var lifetime = ((JsonWebToken)validated.SecurityToken).ValidTo - ((JsonWebToken)validated.SecurityToken).ValidFrom;
        Assert.True(lifetime <= TimeSpan.FromSeconds(60), $"internal token lives {lifetime}");
    }

    [Fact]
    public async Task A_valid_request_id_is_kept_echoed_and_forwarded_with_the_trace()
    {
        using var alpha = platform.AsTenant("alpha");
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/echo/headers");
        request.Headers.Add("X-Request-Id", "order-4711.retry-1");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await alpha.SendAsync(request);

        Assert.Equal("order-4711.retry-1", response.Headers.GetValues("X-Request-Id").Single());
        var headers = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("headers");
        Assert.Equal("order-4711.retry-1", headers.GetProperty("x-request-id").GetString());
        var traceparent = headers.GetProperty("traceparent").GetString()!.Split('-');
        Assert.Equal(traceId, traceparent[1]);
        Assert.Equal("01", traceparent[3]);
    }

    [Fact]
    public async Task Without_a_traceparent_the_gateway_starts_the_trace_and_exporting_nothing_it_passes_it_on_unsampled()
    {
        using var alpha = platform.AsTenant("alpha");
        using var response = await alpha.GetAsync("/api/echo/headers");

        // The request id the gateway made is the trace it started: trace id, then its span id.
        var requestId = response.Headers.GetValues("X-Request-Id").Single().Split('-');
        var headers = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("headers");
        var traceparent = headers.GetProperty("traceparent").GetString()!.Split('-');
        Assert.Equal(requestId[0], traceparent[1]);
        Assert.NotEqual(requestId[1], traceparent[2]);
        Assert.Equal("00", traceparent[3]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("has spaces and \"quotes\"")]
    [InlineData("too-long")]
    public async Task A_missing_or_malformed_request_id_is_replaced_by_one_the_gateway_makes(string? sent)
    {
        sent = sent == "too-long" ? new string('r', 129) : sent;
        using var alpha = platform.AsTenant("alpha");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/echo/headers");
        if (sent is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Request-Id", sent);
        }

        using var response = await alpha.SendAsync(request);
        var echoed = response.Headers.GetValues("X-Request-Id").Single();
        Assert.NotEqual(sent, echoed);
        Assert.Matches("^[A-Za-z0-9._:-]{1,128}$", echoed);
        var forwarded = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("headers").GetProperty("x-request-id").GetString();
        Assert.Equal(echoed, forwarded);
    }

    [Fact]
    public async Task Unknown_routes_are_404_problems()
    {
        using var admin = platform.AsPlatformAdmin();
        foreach (var path in new[] { "/api/nothing-here", "/nowhere", "/api" })
        {
            await Problem.Assert(await admin.GetAsync(path), HttpStatusCode.NotFound);
        }

        using var anonymous = platform.Anonymous();
        await Problem.Assert(await anonymous.GetAsync("/api/nothing-here"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_oversized_body_is_a_413_problem_whether_declared_or_streamed()
    {
        using var alpha = platform.AsTenant("alpha");
        var large = new string('x', 200 * 1024);
        using var declared = await alpha.PostAsync("/api/echo/headers", new StringContent(large, Encoding.UTF8, "text/plain"));
        await Problem.Assert(declared, HttpStatusCode.RequestEntityTooLarge, "65536 bytes");

        using var streamed = new HttpRequestMessage(HttpMethod.Post, "/api/echo/headers") { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(large))) };
        streamed.Headers.TransferEncodingChunked = true;
        await Problem.Assert(await alpha.SendAsync(streamed), HttpStatusCode.RequestEntityTooLarge);

        using var small = await alpha.PostAsync("/api/echo/headers", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
    }

    [Fact]
    public async Task Configured_front_end_origins_may_call_from_a_browser_and_others_may_not()
    {
        using var client = platform.Anonymous();
        foreach (var (origin, allowed) in new[] { (GatewayPlatform.CorsOrigin, true), ("https://evil.example", false) })
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/tenants/alpha");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "PATCH");
            preflight.Headers.Add("Access-Control-Request-Headers", "x-api-key,content-type");
            using var response = await client.SendAsync(preflight);
            Assert.Equal(allowed, response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) && values.Single() == origin);
        }

        using var actual = new HttpRequestMessage(HttpMethod.Get, "/api/tenants/alpha");
        actual.Headers.Add("Origin", GatewayPlatform.CorsOrigin);
        actual.Headers.Add("X-Api-Key", platform.KeyOf("alpha").Key);
        using var answer = await client.SendAsync(actual);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(GatewayPlatform.CorsOrigin, answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("X-Request-Id", answer.Headers.GetValues("Access-Control-Expose-Headers").Single(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_api_reference_and_every_services_OpenAPI_document_are_public()
    {
        using var client = platform.Anonymous();
        using var docs = await client.GetAsync("/docs");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        var page = await docs.Content.ReadAsStringAsync();
        Assert.Contains("\"api/tenants/openapi/v1.json\"", page, StringComparison.Ordinal);
        Assert.Contains("\"api/ai/openapi/v1.json\"", page, StringComparison.Ordinal);

        var tenants = await client.GetFromJsonAsync<JsonElement>("/api/tenants/openapi/v1.json");
        Assert.True(tenants.GetProperty("paths").TryGetProperty("/api/tenants/{tenantId}", out _), tenants.GetProperty("paths").ToString());
        Assert.False(tenants.GetProperty("paths").TryGetProperty("/api/tenants/_directory", out _), "the internal directory is not public API");
        Assert.True(tenants.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("ApiKey", out _), tenants.ToString());
        Assert.Equal("/", tenants.GetProperty("servers").EnumerateArray().Single().GetProperty("url").GetString()); // where the document was read: the gateway
        Assert.False(tenants.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("InternalToken", out _), "clients never hold the internal token");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/ai/openapi/v1.json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/tenants/health/ready")).StatusCode);
    }
}
