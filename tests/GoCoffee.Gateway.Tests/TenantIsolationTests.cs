using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GoCoffee.Tenant;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace GoCoffee.Gateway.Tests;

/// <summary>
/// With tenant alpha's API key, every tenant-service route that reads or changes a tenant's data is tried against
/// tenant bravo's resources through the gateway: every attempt is refused, and bravo is unchanged afterwards.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class TenantIsolationTests(GatewayPlatform platform)
{
    /// <summary>Every tenant route with a body where it takes one; <c>{key}</c> is one of bravo's key ids.</summary>
    private static readonly (string Method, string Route, object? Body)[] Matrix =
    [
        ("GET", "/api/tenants/{tenantId}", null),
        ("PATCH", "/api/tenants/{tenantId}", new { displayName = "taken over" }),
        ("DELETE", "/api/tenants/{tenantId}", null),
        ("POST", "/api/tenants/{tenantId}/suspend", new { reason = "hostile" }),
        ("POST", "/api/tenants/{tenantId}/resume", null),
        ("GET", "/api/tenants/{tenantId}/deletion-plan", null),
        ("POST", "/api/tenants/{tenantId}/deletion/cancel", null),
        ("GET", "/api/tenants/{tenantId}/audit", null),
        ("GET", "/api/tenants/{tenantId}/api-keys", null),
        ("POST", "/api/tenants/{tenantId}/api-keys", null),
        ("POST", "/api/tenants/{tenantId}/api-keys/{keyId}/rotate", null),
        ("DELETE", "/api/tenants/{tenantId}/api-keys/{keyId}", null),
        ("GET", "/api/tenants/{tenantId}/quota", null),
        ("POST", "/api/tenants/{tenantId}/quota/reservations", new { id = "r1", holder = "aiworkload/hostile", cpu = "1" }),
        ("POST", "/api/tenants/{tenantId}/quota/reservations/{reservationId}/commit", null),
        ("DELETE", "/api/tenants/{tenantId}/quota/reservations/{reservationId}", null),
    ];

    /// <summary>Routes that touch every tenant at once: a tenant's caller may use none of them.</summary>
    private static readonly (string Method, string Route, object? Body)[] PlatformRoutes =
    [
        ("POST", "/api/tenants", new { apiVersion = "tenant.gocoffee.dev/v1", kind = "Tenant", metadata = new { name = "intruder" }, spec = new { tenantId = "intruder", tier = "free" } }),
        ("GET", "/api/tenants/_directory", null),
    ];

    /// <summary>Lists that show a tenant's caller only its own tenant, as Kubernetes lists only what RBAC lets one see.</summary>
    private static readonly (string Method, string Route, object? Body)[] OwnListings =
    [
        ("GET", "/api/tenants", null),
    ];

    [Fact]
    public void The_matrix_covers_every_tenant_route_of_the_tenant_service()
    {
        var served = platform.Tenants.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith(TenantService.Identity.RoutePrefix, StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(method => $"{method} {Normalize(e.RoutePattern.RawText!)}"))
            .Where(route => !route.Contains("/health/", StringComparison.Ordinal) && !route.Contains("/openapi/", StringComparison.Ordinal))
            .ToHashSet();
        var tried = Matrix.Concat(PlatformRoutes).Concat(OwnListings).Select(r => $"{r.Method} {Normalize(r.Route)}").ToHashSet();

        Assert.Empty(served.Except(tried));
    }

    [Fact]
    public async Task Tenant_alpha_can_neither_read_nor_change_anything_of_tenant_bravo()
    {
        using var alpha = platform.AsTenant("alpha");
        using var own = await alpha.GetAsync("/api/tenants/alpha");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);

        var before = await Snapshot("bravo");
        var bravoKey = platform.KeyOf("bravo").KeyId;
        foreach (var (method, route, body) in Matrix)
        {
            var path = route.Replace("{tenantId}", "bravo").Replace("{keyId}", bravoKey).Replace("{reservationId}", "r1");
            foreach (var spoof in new[] { false, true })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (body is not null)
                {
                    request.Content = JsonContent.Create(body);
                }

                if (spoof)
                {
                    request.Headers.Add("X-Tenant-Id", "bravo");
                    request.Headers.Add("X-GoCoffee-Tenant-Id", "bravo");
                }

                using var response = await alpha.SendAsync(request);
                var detail = (await Problem.Assert(response, HttpStatusCode.Forbidden)).GetProperty("detail").GetString()!;
                Assert.True(
                    detail.Contains("scoped to tenant 'alpha'", StringComparison.Ordinal) || detail.Contains("Only a platform administrator", StringComparison.Ordinal),
                    $"{method} {path}: {detail}");
            }
        }

        foreach (var (method, route, body) in PlatformRoutes)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), route) { Content = body is null ? null : JsonContent.Create(body) };
            using var response = await alpha.SendAsync(request);
            await Problem.Assert(response, HttpStatusCode.Forbidden);
        }

        foreach (var (method, route, _) in OwnListings)
        {
            using var response = await alpha.SendAsync(new HttpRequestMessage(new HttpMethod(method), route + "?pageSize=100"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(["alpha"], page.RootElement.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("tenantId").GetString()));
        }

        var after = await Snapshot("bravo");
        Assert.Equal(before, after);
        using var intruder = await platform.Tenants.Client.GetAsync("/api/tenants/intruder");
        Assert.Equal(HttpStatusCode.NotFound, intruder.StatusCode);
    }

    /// <summary>Everything of a tenant's that a request could change, read as a platform admin.</summary>
    private async Task<string> Snapshot(string tenantId)
    {
        var admin = platform.Tenants.Client;
        var text = new StringBuilder();
        foreach (var path in new[] { $"/api/tenants/{tenantId}", $"/api/tenants/{tenantId}/audit", $"/api/tenants/{tenantId}/api-keys", $"/api/tenants/{tenantId}/quota" })
        {
            using var response = await admin.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            text.AppendLine(await response.Content.ReadAsStringAsync());
        }

        using var tenant = JsonDocument.Parse((await admin.GetStringAsync($"/api/tenants/{tenantId}")));
        Assert.Equal("Active", tenant.RootElement.GetProperty("status").GetProperty("phase").GetString());
        return text.ToString();
    }

    private static string Normalize(string route) => route.TrimEnd('/').Replace("{tenantId}", "{t}");
}
