using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using GoCoffee.ServiceDefaults.Security;
using GoCoffee.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GoCoffee.Gateway.Tests;

/// <summary>A caller that goes around the gateway gets nothing: services accept only the gateway's internal token.</summary>
[Collection(GatewayCollection.Name)]
public sealed class DirectAccessTests(GatewayPlatform platform)
{
    public static TheoryData<string> Credentials =>
    [
        "none", "tenant-api-key", "operator-jwt", "internal-token-forged", "internal-token-hmac-shared-key", "internal-token-hmac-public-key",
        "internal-token-expired", "internal-token-unsigned", "internal-token-other-audience", "internal-token-for-another-service",
    ];

    /// <summary>
    /// Services hold only the gateway's public key: a token signed with any other key (an attacker's own P-256 key, the
    /// HMAC secret every service used to share, or the public key itself used as an HMAC secret), an expired one, or one
    /// the gateway minted for another service, is refused.
    /// </summary>
    [Theory]
    [MemberData(nameof(Credentials))]
    public async Task A_service_called_directly_without_a_valid_internal_token_answers_401(string credential)
    {
        var admin = InternalCaller.PlatformAdmin("mallory");
        using var attackersKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forger = InternalTokenIssuer.Create(attackersKey.ExportPkcs8PrivateKeyPem());
        string? TokenFor(PlatformHost host) => credential switch
        {
            "tenant-api-key" => platform.KeyOf("alpha").Key,
            "operator-jwt" => DevelopmentTokens.PlatformAdmin(),
            "internal-token-forged" => forger.Mint(admin, host.InternalAudience),
            "internal-token-hmac-shared-key" => Hs256(admin, host.InternalAudience, Encoding.UTF8.GetBytes("gocoffee-development-internal-token-key-0123456789")),
            "internal-token-hmac-public-key" => Hs256(admin, host.InternalAudience, Encoding.ASCII.GetBytes(DevelopmentKeys.InternalTokenPublicKey)),
            "internal-token-expired" => InternalTokens.Development.Create(admin, host.InternalAudience, DateTimeOffset.UtcNow.AddMinutes(-5), TimeSpan.FromSeconds(60)),
            "internal-token-unsigned" => DevelopmentTokens.WithoutSignature(),
            "internal-token-other-audience" => InternalTokens.For(admin, "gocoffee-services"),
            "internal-token-for-another-service" => InternalTokens.For(admin, host == platform.Tenants ? platform.Ai.InternalAudience : platform.Tenants.InternalAudience),
            _ => null,
        };

        foreach (var host in new[] { platform.Tenants, platform.Ai })
        {
            using var client = host.AnonymousClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, host == platform.Tenants ? "/api/tenants/alpha" : "/api/ai/workloads");
            if (TokenFor(host) is { } token)
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
    public async Task A_gateway_signed_token_is_accepted_by_its_own_service_only_until_it_expires()
    {
        var admin = InternalCaller.PlatformAdmin("test:operator");
        // The AI service has no /api/ai/no-such-route endpoint: past authentication, that is a 404.
        foreach (var (host, path, accepted) in new[] { (platform.Tenants, "/api/tenants/alpha", HttpStatusCode.OK), (platform.Ai, "/api/ai/no-such-route", HttpStatusCode.NotFound) })
        {
            using var client = host.AnonymousClient();
            async Task<HttpStatusCode> Status(string token)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await client.SendAsync(request);
                return response.StatusCode;
            }

            var now = DateTimeOffset.UtcNow;
            Assert.Equal(accepted, await Status(InternalTokens.Development.Create(admin, host.InternalAudience, now, TimeSpan.FromSeconds(60))));

            // A token whose signature the service has already checked (and remembers) is still refused once expired.
            var shortLived = InternalTokens.Development.Create(admin, host.InternalAudience, now, TimeSpan.FromSeconds(1));
            Assert.Equal(accepted, await Status(shortLived));
            await TestInfrastructure.Eventually(
                async () => await Status(shortLived) == HttpStatusCode.Unauthorized ? (bool?)true : null,
                TimeSpan.FromSeconds(30),
                "the service refuses the token once it has expired (plus the 5 s clock skew)");
        }
    }

    private static string Hs256(InternalCaller caller, string audience, byte[] secret) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "gocoffee-gateway",
            Audience = audience,
            Expires = DateTime.UtcNow.AddMinutes(1),
            Claims = new Dictionary<string, object> { [InternalClaims.Subject] = caller.Actor, [InternalClaims.Scope] = caller.Scope },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(secret), SecurityAlgorithms.HmacSha256),
        });

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
