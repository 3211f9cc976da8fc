using System.Net;
using System.Net.Http.Headers;
using GoCoffee.ServiceDefaults.Security;
using GoCoffee.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GoCoffee.Gateway.Tests;

/// <summary>A caller that goes around the gateway gets nothing: services accept only the gateway's internal token.</summary>
[Collection(GatewayCollection.Name)]
public sealed class DirectAccessTests(GatewayPlatform platform)
{
    public static TheoryData<string> Credentials => ["none", "tenant-api-key", "operator-jwt", "internal-token-forged", "internal-token-expired", "internal-token-unsigned", "internal-token-other-audience"];

    [Theory]
    [MemberData(nameof(Credentials))]
    public async Task A_service_called_directly_without_a_valid_internal_token_answers_401(string credential)
    {
        var admin = InternalCaller.PlatformAdmin("mallory");
        var forger = InternalTokenIssuer.Create(new InternalTokenOptions { SigningKey = "not-the-platform-key-but-long-enough-0123456789" });
        var genuine = InternalTokenIssuer.Create(new InternalTokenOptions { SigningKey = DevelopmentKeys.InternalTokenSigningKey });
        var otherAudience = InternalTokenIssuer.Create(new InternalTokenOptions { SigningKey = DevelopmentKeys.InternalTokenSigningKey, Audience = "someone-else" });
        string? token = credential switch
        {
            "tenant-api-key" => platform.KeyOf("alpha").Key,
            "operator-jwt" => DevelopmentTokens.PlatformAdmin(),
            "internal-token-forged" => forger.Mint(admin),
            "internal-token-expired" => genuine.Create(admin, DateTimeOffset.UtcNow.AddMinutes(-5), TimeSpan.FromSeconds(60)),
            "internal-token-unsigned" => DevelopmentTokens.WithoutSignature(),
            "internal-token-other-audience" => otherAudience.Mint(admin),
            _ => null,
        };

        foreach (var host in new[] { platform.Tenants, platform.Ai })
        {
            using var client = host.AnonymousClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, host == platform.Tenants ? "/api/tenants/alpha" : "/api/ai/workloads");
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            request.Headers.Add("X-Tenant-Id", "alpha");
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{host.Address} with {credential}: {(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task A_service_keeps_a_tenant_scoped_internal_token_to_its_tenant()
    {
        using var alpha = platform.Tenants.ClientForTenant("alpha");
        Assert.Equal(HttpStatusCode.OK, (await alpha.GetAsync("/api/tenants/alpha")).StatusCode);
        using var response = await alpha.GetAsync("/api/tenants/bravo");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, (await alpha.GetAsync("/api/tenants/_directory")).StatusCode);
        using var list = System.Text.Json.JsonDocument.Parse(await alpha.GetStringAsync("/api/tenants?pageSize=100"));
        Assert.Equal(["alpha"], list.RootElement.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("tenantId").GetString()));
    }

    [Fact]
    public async Task Health_metrics_and_the_OpenAPI_document_need_no_token()
    {
        using var client = platform.Tenants.AnonymousClient();
        foreach (var path in new[] { "/health/live", "/health/ready", "/api/tenants/health/ready", "/metrics", "/api/tenants/openapi/v1.json" })
        {
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public void No_process_reports_usage_telemetry_outside_the_platform()
    {
        foreach (var host in new[] { platform.Gateway, platform.Tenants, platform.Ai, platform.Agent })
        {
            Assert.False(host.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
        }
    }
}
