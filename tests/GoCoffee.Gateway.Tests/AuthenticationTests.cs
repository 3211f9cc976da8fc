using System.Net;
using System.Text.Json;
using GoCoffee.ServiceDefaults.Security;
using GoCoffee.Testing;

namespace GoCoffee.Gateway.Tests;

/// <summary>Who gets through the gateway: valid API keys and JWTs; never a forged, expired, unsigned, foreign or revoked credential.</summary>
[Collection(GatewayCollection.Name)]
public sealed class AuthenticationTests(GatewayPlatform platform)
{
    [Fact]
    public async Task A_request_without_credentials_is_a_401_problem_that_says_what_to_send()
    {
        using var client = platform.Anonymous();
        using var response = await client.GetAsync("/api/tenants/alpha");

        await Problem.Assert(response, HttpStatusCode.Unauthorized, "X-Api-Key");
        Assert.NotEmpty(response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task An_api_key_works_in_either_header_and_an_unknown_one_is_refused()
    {
        var key = platform.KeyOf("alpha").Key;
        using (var viaHeader = platform.WithKey(key))
        {
            Assert.Equal(HttpStatusCode.OK, (await viaHeader.GetAsync("/api/tenants/alpha")).StatusCode);
        }

        using (var viaBearer = platform.WithBearer(key))
        {
            Assert.Equal(HttpStatusCode.OK, (await viaBearer.GetAsync("/api/tenants/alpha")).StatusCode);
        }

        using var forged = platform.WithKey(key[..^4] + "AAAA");
        await Problem.Assert(await forged.GetAsync("/api/tenants/alpha"), HttpStatusCode.Unauthorized, "API key is not valid");
    }

    [Theory]
    [InlineData("wrong-key")]
    [InlineData("expired")]
    [InlineData("alg-none")]
    [InlineData("wrong-audience")]
    [InlineData("wrong-issuer")]
    [InlineData("garbage")]
    public async Task A_bearer_token_that_is_not_valid_is_refused_with_a_401_problem(string flaw)
    {
        var admin = new Dictionary<string, object> { ["sub"] = "mallory", ["scope"] = CallerScope.PlatformAdmin };
        var (token, detail) = flaw switch
        {
            "wrong-key" => (DevelopmentTokens.Jwt(admin, signingKey: "an-attackers-own-key-that-is-long-enough-0123"), "signature is not valid"),
            "expired" => (DevelopmentTokens.Jwt(admin, issuedAt: DateTimeOffset.UtcNow.AddHours(-2), lifetime: TimeSpan.FromMinutes(10)), "has expired"),
            "alg-none" => (DevelopmentTokens.WithoutSignature(), "not signed"),
            "wrong-audience" => (DevelopmentTokens.Jwt(admin, audience: "someone-else"), "audience"),
            "wrong-issuer" => (DevelopmentTokens.Jwt(admin, issuer: "https://evil.example"), "issuer"),
            _ => ("not.a.jwt", "bearer token"),
        };

        using var client = platform.WithBearer(token);
        using var response = await client.GetAsync("/api/tenants");

        await Problem.Assert(response, HttpStatusCode.Unauthorized, detail);
    }

    [Fact]
    public async Task A_platform_admin_token_reaches_any_tenant_and_a_tenant_token_only_its_own()
    {
        using var admin = platform.AsPlatformAdmin();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/tenants")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/tenants/bravo")).StatusCode);

        using var partner = platform.WithBearer(DevelopmentTokens.ForTenant("alpha"));
        Assert.Equal(HttpStatusCode.OK, (await partner.GetAsync("/api/tenants/alpha")).StatusCode);
        await Problem.Assert(await partner.GetAsync("/api/tenants/bravo"), HttpStatusCode.Forbidden, "tenant 'alpha'");

        using var scopeless = platform.WithBearer(DevelopmentTokens.Jwt(new Dictionary<string, object> { ["sub"] = "nobody" }));
        await Problem.Assert(await scopeless.GetAsync("/api/tenants/alpha"), HttpStatusCode.Forbidden, "no scope");
    }

    [Fact]
    public async Task A_token_from_scripts_dev_token_sh_is_accepted_by_a_gateway_with_development_keys()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "GoCoffee.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("no GoCoffee.sln above the test folder");
        }

        async Task<string> Mint(params string[] arguments)
        {
            var start = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardOutput = true, WorkingDirectory = root };
            start.ArgumentList.Add(Path.Combine(root, "scripts", "dev-token.sh"));
            arguments.ToList().ForEach(start.ArgumentList.Add);
            using var script = System.Diagnostics.Process.Start(start)!;
            var token = (await script.StandardOutput.ReadToEndAsync()).Trim();
            await script.WaitForExitAsync();
            Assert.Equal(0, script.ExitCode);
            return token;
        }

        using var admin = platform.WithBearer(await Mint());
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/tenants")).StatusCode);
        using var partner = platform.WithBearer(await Mint("--tenant", "bravo", "--sub", "bravo-app"));
        Assert.Equal(HttpStatusCode.OK, (await partner.GetAsync("/api/tenants/bravo")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await partner.GetAsync("/api/tenants/alpha")).StatusCode);

        // --internal: what the gateway itself would forward, for calling a service directly in development.
        using var direct = platform.Tenants.AnonymousClient();
        direct.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await Mint("--internal", "--service", "tenant", "--tenant", "bravo"));
        Assert.Equal(HttpStatusCode.OK, (await direct.GetAsync("/api/tenants/bravo")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await direct.GetAsync("/api/tenants/alpha")).StatusCode);
        using var elsewhere = platform.Ai.AnonymousClient();
        elsewhere.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await Mint("--internal", "--service", "tenant"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await elsewhere.GetAsync("/api/ai/workloads")).StatusCode);
        using var fromGateway = platform.WithBearer(await Mint("--internal", "--service", "tenant"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await fromGateway.GetAsync("/api/tenants")).StatusCode);
    }

    [Fact]
    public async Task The_audit_trail_names_the_caller_the_gateway_resolved()
    {
        var (keyId, key) = await platform.IssueKey("alpha");
        using var client = platform.WithKey(key);
        using var changed = await client.PatchAsync("/api/tenants/alpha", System.Net.Http.Json.JsonContent.Create(new { displayName = "Alpha Coffee" }));
        Assert.Equal(HttpStatusCode.Accepted, changed.StatusCode);

        var audit = JsonDocument.Parse(await platform.Tenants.Client.GetStringAsync("/api/tenants/alpha/audit")).RootElement;
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("by").GetString() == $"apikey:{keyId}");
    }

    [Fact]
    public async Task A_revoked_key_stops_working_within_seconds()
    {
        var (keyId, key) = await platform.IssueKey("alpha");
        using var client = platform.WithKey(key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/tenants/alpha")).StatusCode);

        using var revoked = await platform.Tenants.Client.DeleteAsync($"/api/tenants/alpha/api-keys/{keyId}");
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var refused = await TestInfrastructure.Eventually(
            async () =>
            {
                var response = await client.GetAsync("/api/tenants/alpha");
                return response.StatusCode == HttpStatusCode.Unauthorized ? response : null;
            },
            TimeSpan.FromSeconds(5),
            "the gateway refuses the revoked key");

        await Problem.Assert(refused, HttpStatusCode.Unauthorized, "API key is not valid");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"refused after {clock.Elapsed}");
        using var other = platform.AsTenant("alpha");
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/tenants/alpha")).StatusCode);
    }
}
