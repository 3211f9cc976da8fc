using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using GoCoffee.AiWorkload;
using GoCoffee.ClusterAgent;
using GoCoffee.Gateway.Tenancy;
using GoCoffee.ServiceDefaults;
using GoCoffee.Tenant;
using GoCoffee.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GoCoffee.Gateway.Tests;

/// <summary>
/// The gateway in front of the real tenant and AI-workload services, with the cluster-agent (manifests folder) so tenants
/// become Active, all on one PostgreSQL database and RabbitMQ virtual host; plus <see cref="EchoService"/> behind an
/// <c>/api/echo</c> route to see what gets forwarded. The web3, orders and observability clusters point at a port
/// nothing listens on: a service that is down. Tenants, one per purpose, each with its first API key:
/// alpha and bravo (basic), freebie (free), premium (premium), limited (free: its limit is exhausted), sleepy (suspended).
/// </summary>
public sealed class GatewayPlatform : IAsyncLifetime
{
    public const string CorsOrigin = "https://app.example.test";

    private static readonly (string Id, string Tier)[] Seeded =
        [("alpha", "basic"), ("bravo", "basic"), ("freebie", "free"), ("premium", "premium"), ("limited", "free"), ("sleepy", "basic")];

    private readonly Dictionary<string, (string KeyId, string Key)> _keys = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task>> _onboarded = new();
    private TestDatabase _database = null!;
    private TestVirtualHost _virtualHost = null!;
    private readonly string _manifests = Path.Combine(Path.GetTempPath(), $"gocoffee-gateway-manifests-{Guid.NewGuid():N}");

    public PlatformHost Tenants { get; private set; } = null!;

    /// <summary>The platform's virtual host, with every process's broker user.</summary>
    public TestVirtualHost VirtualHost => _virtualHost;

    public PlatformHost Ai { get; private set; } = null!;

    public PlatformHost Agent { get; private set; } = null!;

    public PlatformHost Gateway { get; private set; } = null!;

    public EchoService Echo { get; private set; } = null!;

    /// <summary>Where nothing listens: the address of every service that is "down".</summary>
    public Uri Nowhere { get; } = new($"http://127.0.0.1:{UnusedPort()}");

    public TenantDirectory Directory => Gateway.Services.GetRequiredService<TenantDirectory>();

    public (string KeyId, string Key) KeyOf(string tenantId) => _keys[tenantId];

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.Create();
        _virtualHost = await TestVirtualHost.Create();
        Echo = await EchoService.Start();
        Agent = await PlatformHost.Start(
            _database,
            _virtualHost,
            builder => builder.AddClusterAgentService(),
            app => app.MapDefaultEndpoints(),
            new Dictionary<string, string?> { ["ClusterAgent:Target"] = "manifests", ["ClusterAgent:ManifestsPath"] = _manifests });
        Tenants = await PlatformHost.Start(_database, _virtualHost, builder => builder.AddTenantService(), app =>
        {
            app.MapDefaultEndpoints();
            app.MapTenantApi();
        });
        Ai = await PlatformHost.Start(_database, _virtualHost, builder => builder.AddAiWorkloadService(), app =>
        {
            app.MapDefaultEndpoints();
            app.MapAiWorkloadApi();
        });
        Gateway = await StartGateway();

        await Task.WhenAll(Seeded.Select(tenant => Onboard(tenant.Id, tenant.Tier)));
        using var suspended = await Tenants.Client.PostAsJsonAsync("/api/tenants/sleepy/suspend", new { reason = "unpaid invoice 2024-117" });
        Assert.Equal(HttpStatusCode.Accepted, suspended.StatusCode);
        await TestInfrastructure.Eventually(
            () => Task.FromResult(Directory.FindTenant("sleepy") is { Suspended: true } ? (bool?)true : null),
            TimeSpan.FromSeconds(30),
            "the gateway learns that sleepy is suspended");
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Ai.DisposeAsync();
        await Tenants.DisposeAsync();
        await Agent.DisposeAsync();
        await Echo.DisposeAsync();
        await _virtualHost.DisposeAsync();
        await _database.DisposeAsync();
        if (System.IO.Directory.Exists(_manifests))
        {
            System.IO.Directory.Delete(_manifests, recursive: true);
        }
    }

    /// <summary>A client of the gateway with no credentials and no default headers.</summary>
    public HttpClient Anonymous() => new(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = Gateway.Address, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>A client of the gateway that presents a tenant's API key.</summary>
    public HttpClient WithKey(string key)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    public HttpClient WithBearer(string token)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public HttpClient AsTenant(string tenantId) => WithKey(KeyOf(tenantId).Key);

    public HttpClient AsPlatformAdmin() => WithBearer(DevelopmentTokens.PlatformAdmin());

    /// <summary>Issues another key for a tenant (through the tenant service) and waits until the gateway accepts it.</summary>
    public async Task<(string KeyId, string Key)> IssueKey(string tenantId)
    {
        using var issued = await Tenants.Client.PostAsync($"/api/tenants/{tenantId}/api-keys", null);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        using var body = JsonDocument.Parse(await issued.Content.ReadAsStringAsync());
        var key = (body.RootElement.GetProperty("id").GetString()!, body.RootElement.GetProperty("key").GetString()!);
        await UntilAccepted(tenantId, key.Item2);
        return key;
    }

    /// <summary>A tenant of a test class's own, onboarded once per platform: Active, its first key accepted by the gateway (<see cref="KeyOf"/>).</summary>
    public Task OnboardOnce(string tenantId, string tier) =>
        _onboarded.GetOrAdd(tenantId, id => new Lazy<Task>(() => Onboard(id, tier))).Value;

    /// <summary>
    /// Another gateway in front of the same services (its own event queue, its own limits and caches), with
    /// <paramref name="overrides"/> on top of the settings of <see cref="Gateway"/>. The caller disposes it.
    /// </summary>
    public Task<PlatformHost> StartGateway(IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:tenant:Destinations:primary:Address"] = Tenants.Address.ToString(),
            ["ReverseProxy:Clusters:ai-workload:Destinations:primary:Address"] = Ai.Address.ToString(),
            ["ReverseProxy:Clusters:web3:Destinations:primary:Address"] = Nowhere.ToString(),
            ["ReverseProxy:Clusters:orders:Destinations:primary:Address"] = Nowhere.ToString(),
            ["ReverseProxy:Clusters:observability:Destinations:primary:Address"] = Nowhere.ToString(),
            ["ReverseProxy:Routes:echo:ClusterId"] = "echo",
            ["ReverseProxy:Routes:echo:Match:Path"] = "/api/echo/{**rest}",
            ["ReverseProxy:Routes:echo:AuthorizationPolicy"] = "caller",
            ["ReverseProxy:Routes:echo:RateLimiterPolicy"] = "per-tenant",
            ["ReverseProxy:Routes:echo:Timeout"] = "00:00:01",
            ["ReverseProxy:Clusters:echo:Destinations:primary:Address"] = Echo.Address.ToString(),
            ["Gateway:Cors:AllowedOrigins:0"] = CorsOrigin,
            ["Gateway:Limits:MaxRequestBodyBytes"] = "65536",

            // Pages of two tenants: every test here runs on a directory read in several pages.
            ["Gateway:TenantDirectory:PageSize"] = "2",

            // The clusters that are down on purpose fail their health probes every few seconds: not worth a log line.
            ["Serilog:MinimumLevel:Override:Yarp.ReverseProxy.Health"] = "Error",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return PlatformHost.Start(
            _database,
            _virtualHost,
            builder => builder.AddGateway(),
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapGateway();
            },
            settings,
            Path.Combine(AppContext.BaseDirectory, "gateway.appsettings.json"));
    }

    private async Task Onboard(string tenantId, string tier)
    {
        using var created = await Tenants.Client.PostAsync("/api/tenants", JsonContent.Create(new
        {
            apiVersion = "tenant.gocoffee.dev/v1",
            kind = "Tenant",
            metadata = new { name = tenantId },
            spec = new
            {
                tenantId,
                tier,
                resources = new { namespaces = 1, cpu = "1", memory = "2Gi", storage = "5Gi" },
                owners = new[] { $"owner@{tenantId}.example" },
            },
        }));
        var text = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Accepted, $"creating {tenantId}: {(int)created.StatusCode} {text}");
        using var body = JsonDocument.Parse(text);
        var apiKey = body.RootElement.GetProperty("apiKey");
        var key = (apiKey.GetProperty("id").GetString()!, apiKey.GetProperty("key").GetString()!);
        lock (_keys)
        {
            _keys[tenantId] = key;
        }

        await UntilAccepted(tenantId, key.Item2);
    }

    /// <summary>The key's tenant is active and the gateway has learned the key (from ApiKeyIssued).</summary>
    public async Task UntilAccepted(string tenantId, string key, PlatformHost? gateway = null)
    {
        using var client = WithKey(key);
        client.BaseAddress = (gateway ?? Gateway).Address;
        await TestInfrastructure.Eventually(
            async () =>
            {
                using var response = await client.GetAsync($"/api/tenants/{tenantId}");
                return response.StatusCode == HttpStatusCode.OK ? (bool?)true : null;
            },
            TimeSpan.FromSeconds(60),
            $"the gateway accepts {tenantId}'s API key");
    }

    private static int UnusedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayPlatform>
{
    public const string Name = "Gateway platform";
}
