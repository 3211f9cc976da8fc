using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using GoCoffee.Testing;

namespace GoCoffee.Gateway.Tests;

/// <summary>
/// What the internet can make the gateway do without a valid credential: a few refused attempts per client address, and
/// readiness that says healthy or not (details for operators) from one evaluation a second. A gateway of its own (low
/// limits) whose trusted proxy is 127.0.0.2; clients connect from other loopback addresses to be other clients.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class EdgeLimitsTests(GatewayPlatform platform) : IAsyncLifetime
{
    private const int Limit = 5;
    private const string TrustedProxy = "127.0.0.2";

    private PlatformHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _gateway = await platform.StartGateway(new Dictionary<string, string?>
        {
            ["Gateway:RateLimits:UnauthenticatedPerMinute"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway:ForwardedHeaders:KnownProxies:0"] = TrustedProxy,
        });
        await platform.UntilAccepted("alpha", platform.KeyOf("alpha").Key, _gateway);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Requests_without_a_valid_credential_are_limited_per_client_address_and_valid_callers_are_not()
    {
        using var attacker = From("127.0.0.3", apiKey: "gck_not_a_key");
        for (var i = 0; i < Limit; i++)
        {
            await Problem.Assert(await attacker.GetAsync("/api/tenants/alpha"), HttpStatusCode.Unauthorized);
        }

        using var refused = await attacker.GetAsync("/api/tenants/alpha");
        var problem = await Problem.Assert(refused, HttpStatusCode.TooManyRequests, "'127.0.0.3' may make 5 requests per minute");
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal(Limit, problem.GetProperty("limitPerMinute").GetInt32());

        // No credential at all counts the same.
        using var anonymous = From("127.0.0.3");
        await Problem.Assert(await anonymous.GetAsync("/api/tenants/alpha"), HttpStatusCode.TooManyRequests);

        // A valid key from the same address is not limited by its failures.
        using var tenant = From("127.0.0.3", apiKey: platform.KeyOf("alpha").Key);
        using var served = await tenant.GetAsync("/api/tenants/alpha");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);

        // Another client, behind the trusted proxy, has a budget of its own.
        using var neighbour = From(TrustedProxy, apiKey: "gck_not_a_key", forwardedFor: "198.51.100.7");
        await Problem.Assert(await neighbour.GetAsync("/api/tenants/alpha"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task X_Forwarded_For_names_the_client_only_when_a_trusted_proxy_sends_it()
    {
        // An untrusted peer cannot spread its attempts over made-up addresses.
        for (var i = 0; i < Limit; i++)
        {
            using var spoofing = From("127.0.0.4", apiKey: "gck_not_a_key", forwardedFor: $"203.0.113.{i + 1}");
            await Problem.Assert(await spoofing.GetAsync("/api/tenants/alpha"), HttpStatusCode.Unauthorized);
        }

        using (var spoofing = From("127.0.0.4", apiKey: "gck_not_a_key", forwardedFor: "203.0.113.99"))
        {
            await Problem.Assert(await spoofing.GetAsync("/api/tenants/alpha"), HttpStatusCode.TooManyRequests, "'127.0.0.4'");
        }

        // Behind the trusted proxy, each forwarded client is limited on its own, and the proxy itself is not.
        using var first = From(TrustedProxy, apiKey: "gck_not_a_key", forwardedFor: "198.51.100.8");
        for (var i = 0; i < Limit; i++)
        {
            await Problem.Assert(await first.GetAsync("/api/tenants/alpha"), HttpStatusCode.Unauthorized);
        }

        await Problem.Assert(await first.GetAsync("/api/tenants/alpha"), HttpStatusCode.TooManyRequests, "'198.51.100.8'");
        using var second = From(TrustedProxy, apiKey: "gck_not_a_key", forwardedFor: "198.51.100.9");
        await Problem.Assert(await second.GetAsync("/api/tenants/alpha"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Anonymous_callers_read_only_the_readiness_status_and_operators_read_every_check()
    {
        using var anonymous = From("127.0.0.5");
        using var publicReport = await anonymous.GetAsync("/health/ready");
        using (var body = JsonDocument.Parse(await publicReport.Content.ReadAsStringAsync()))
        {
            Assert.Equal(["status"], body.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.Contains(body.RootElement.GetProperty("status").GetString(), new[] { "Healthy", "Unhealthy", "Degraded" });
        }

        using var operatorClient = From("127.0.0.5", bearer: DevelopmentTokens.PlatformAdmin());
        using var fullReport = await operatorClient.GetAsync("/health/ready");
        Assert.Equal(publicReport.StatusCode, fullReport.StatusCode);
        using var full = JsonDocument.Parse(await fullReport.Content.ReadAsStringAsync());
        var checks = full.RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("tenant-directory").GetProperty("status").GetString());
        Assert.Contains("tenants", checks.GetProperty("tenant-directory").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("Unhealthy", checks.GetProperty("web3/primary").GetProperty("status").GetString());

        // A tenant's credential is not an operator's.
        using var tenant = From("127.0.0.5", apiKey: platform.KeyOf("alpha").Key);
        using var tenantReport = JsonDocument.Parse(await (await tenant.GetAsync("/health/ready")).Content.ReadAsStringAsync());
        Assert.False(tenantReport.RootElement.TryGetProperty("checks", out _));
    }

    [Fact]
    public async Task A_burst_of_readiness_probes_is_answered_by_one_evaluation_a_second()
    {
        using var client = From("127.0.0.6");
        var before = platform.Echo.ReadinessProbes;
        var burst = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.GetAsync("/health/ready")));
        var answered = Stopwatch.StartNew();
        Assert.All(burst, response => Assert.Equal(burst[0].StatusCode, response.StatusCode));
        Array.ForEach(burst, response => response.Dispose());
        Assert.Equal(before + 1, platform.Echo.ReadinessProbes);

        // The answer is kept a second, then the checks run again.
        await TestInfrastructure.Eventually(
            async () =>
            {
                using var response = await client.GetAsync("/health/ready");
                return platform.Echo.ReadinessProbes > before + 1 ? (bool?)true : null;
            },
            TimeSpan.FromSeconds(10),
            "readiness is evaluated again after a second");
        Assert.Equal(before + 2, platform.Echo.ReadinessProbes);
        Assert.True(answered.Elapsed >= TimeSpan.FromMilliseconds(900), $"evaluated again after {answered.ElapsedMilliseconds} ms");
    }

    /// <summary>A client of the test gateway connecting from <paramref name="localAddress"/> (any 127.x address is this host).</summary>
    private HttpClient From(string localAddress, string? apiKey = null, string? bearer = null, string? forwardedFor = null)
    {
        var handler = new SocketsHttpHandler
        {
            ActivityHeadersPropagator = null,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(localAddress), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler) { BaseAddress = _gateway.Address, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        if (forwardedFor is not null)
        {
            client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        }

        return client;
    }
}
