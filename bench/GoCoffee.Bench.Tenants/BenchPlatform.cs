using GoCoffee.ClusterAgent;
using GoCoffee.Contracts.Tenants;
using GoCoffee.FakeKubernetes;
using GoCoffee.ServiceDefaults;
using GoCoffee.Tenant;
using GoCoffee.Testing;

namespace GoCoffee.Bench.Tenants;

/// <summary>
/// The platform as <c>PlatformWithFakeKubernetes</c> of the tenant tests hosts it (same <see cref="PlatformHost"/>,
/// database, virtual host and kubeconfig), except that the messaging settings are the product's defaults unless the
/// run overrides them: the benchmark measures what ships, not the tests' faster outbox poll.
/// </summary>
public sealed class BenchPlatform : IAsyncDisposable
{
    /// <summary>What a service gets without configuration (ServiceDefaults' MessagingExtensions and OutboxRelayOptions).</summary>
    public static readonly IReadOnlyDictionary<string, string?> ProductDefaults = new Dictionary<string, string?>
    {
        ["Messaging:Outbox:PollInterval"] = "00:00:00.500",
        ["Messaging:PrefetchCount"] = "32",
        ["Messaging:ConcurrentMessageLimit"] = "16",
    };

    /// <summary>
    /// The services log every request and step at Information (AddStructuredLogging sets that level after reading the
    /// configuration, so PlatformHost's "Warning" does not take); the benchmark's own polling would flood the console.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, string?> QuietLogs = new Dictionary<string, string?>
    {
        ["Serilog:MinimumLevel:Override:GoCoffee"] = "Warning",
        ["Serilog:MinimumLevel:Override:Serilog.AspNetCore"] = "Warning",
        ["Serilog:MinimumLevel:Override:Microsoft.Hosting"] = "Warning",
    };

    private TestVirtualHost _virtualHost = null!;
    private string _kubeconfig = string.Empty;

    private readonly string? _postgresOptions;

    private BenchPlatform(IReadOnlyDictionary<string, string?> settings, string? postgresOptions)
    {
        Settings = settings;
        _postgresOptions = postgresOptions;
    }

    public IReadOnlyDictionary<string, string?> Settings { get; private set; }

    public TestDatabase Database { get; private set; } = null!;

    public TestVirtualHost VirtualHost => _virtualHost;

    public FakeKubernetesServer Kubernetes { get; private set; } = null!;

    public PlatformHost Tenants { get; private set; } = null!;

    public PlatformHost Agent { get; private set; } = null!;

    public HttpClient Client => Tenants.Client;

    /// <param name="postgresOptions">Npgsql connection string keywords added to both services' connection string.</param>
    public static async Task<BenchPlatform> Start(IReadOnlyDictionary<string, string?> overrides, string? postgresOptions = null)
    {
        var settings = new Dictionary<string, string?>(ProductDefaults);
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        var platform = new BenchPlatform(settings, postgresOptions);
        try
        {
            await platform.StartParts();
            return platform;
        }
        catch
        {
            await platform.DisposeAsync();
            throw;
        }
    }

    private async Task StartParts()
    {
        Database = await TestDatabase.Create();
        if (!string.IsNullOrWhiteSpace(_postgresOptions))
        {
            var settings = new Dictionary<string, string?>(Settings) { ["ConnectionStrings:Postgres"] = $"{Database.ConnectionString};{_postgresOptions}" };
            Settings = settings;
        }

        _virtualHost = await TestVirtualHost.Create();
        // As in a cluster the platform is deployed to: its Tenant custom resource is served (the agent watches it).
        Kubernetes = await FakeKubernetesServer.StartAsync(options =>
        {
            options.RequestLogLimit = 50_000;
            options.AddCustomResource(TenantResource.Group, TenantResource.Version, TenantResource.ResourceKind, TenantResource.Plural, namespaced: false);
        });
        _kubeconfig = Path.Combine(Path.GetTempPath(), $"gocoffee-bench-kubeconfig-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(_kubeconfig, Kubernetes.Kubeconfig());
        Agent = await PlatformHost.Start(
            Database,
            _virtualHost,
            builder => builder.AddClusterAgentService(),
            app => app.MapDefaultEndpoints(),
            With(Settings, new Dictionary<string, string?>
            {
                ["ClusterAgent:Target"] = "kubernetes",
                ["ClusterAgent:Kubeconfig"] = _kubeconfig,
            }));
        Tenants = await PlatformHost.Start(
            Database,
            _virtualHost,
            builder => builder.AddTenantService(),
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapTenantApi();
            },
            With(Settings, new Dictionary<string, string?> { ["Tenants:StepTimeout"] = "00:01:00" }));
    }

    public async ValueTask DisposeAsync()
    {
        if (Tenants is not null)
        {
            await Tenants.DisposeAsync();
        }

        if (Agent is not null)
        {
            await Agent.DisposeAsync();
        }

        if (Kubernetes is not null)
        {
            await Kubernetes.DisposeAsync();
        }

        if (_virtualHost is not null)
        {
            await _virtualHost.DisposeAsync();
        }

        if (Database is not null)
        {
            await Database.DisposeAsync();
        }

        if (_kubeconfig.Length > 0)
        {
            File.Delete(_kubeconfig);
        }
    }

    private static Dictionary<string, string?> With(IReadOnlyDictionary<string, string?> settings, Dictionary<string, string?> service)
    {
        var merged = new Dictionary<string, string?>(QuietLogs);
        foreach (var (key, value) in settings)
        {
            merged[key] = value;
        }

        foreach (var (key, value) in service)
        {
            merged[key] = value;
        }

        return merged;
    }
}
