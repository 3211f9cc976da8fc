using System.Net;
using System.Net.Sockets;
using GoCoffee.FakeKubernetes;
using GoCoffee.Testing;
using Xunit;

namespace GoCoffee.EndToEnd.Tests.Platform;

/// <summary>
/// The whole platform as real processes: the six services and the gateway, each started with <c>dotnet &lt;dll&gt;</c> from
/// its bin folder (the configuration this test assembly was built with), on free loopback ports, sharing a PostgreSQL
/// database and a RabbitMQ virtual host of their own. Ready when every process answers <c>/health/ready</c> with 200.
/// </summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    /// <summary>The platform's services: name (as each identifies itself), route prefix, project folder, gateway cluster.</summary>
    public static readonly IReadOnlyList<(string Name, string RoutePrefix, string Project, string? Cluster)> ServiceCatalog =
    [
        ("tenant", "/api/tenants", "services/GoCoffee.Tenant", "tenant"),
        ("ai-workload", "/api/ai", "services/GoCoffee.AiWorkload", "ai-workload"),
        ("observability", "/api/observability", "services/GoCoffee.Observability", "observability"),
        ("orders", "/api/orders", "services/GoCoffee.Orders", "orders"),
        ("web3", "/api/web3", "services/GoCoffee.Web3", "web3"),
        ("cluster-agent", "/api/cluster-agent", "services/GoCoffee.ClusterAgent", null),
    ];

    /// <summary>How long the processes may take to become ready (<c>GOCOFFEE_E2E_STARTUP_TIMEOUT</c> seconds overrides 90).</summary>
    public static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("GOCOFFEE_E2E_STARTUP_TIMEOUT"), out var seconds) && seconds > 0 ? seconds : 90);

    /// <summary>
    /// Every process uses the published development keys, as under <c>./run.sh</c>: internal tokens, and the operator
    /// JWTs the tests present to the gateway (<see cref="DevelopmentTokens"/>, like <c>scripts/dev-token.sh</c>).
    /// </summary>
    public const string DevelopmentKeysVariable = "Platform__UseDevelopmentKeys";

    private readonly List<ServiceProcess> _services = [];
    private readonly List<ServiceProcess> _replicas = [];
    private TestDatabase? _database;
    private TestVirtualHost? _virtualHost;
    private bool _disposed;

    public PlatformFixture()
    {
        Http = new HttpClient(new SocketsHttpHandler
        {
            // The tests set traceparent themselves; the test process must not add or replace one.
            ActivityHeadersPropagator = null,
            PooledConnectionLifetime = TimeSpan.FromSeconds(30),
        })
        {
            // Generous: on a loaded 2-core machine a cold endpoint (first OpenAPI document, first query) can take seconds.
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>No base address, no default headers, no trace propagation of its own.</summary>
    public HttpClient Http { get; }

    /// <summary>A platform operator's bearer token for the gateway (development key, like <c>scripts/dev-token.sh</c>).</summary>
    public string OperatorToken { get; } = DevelopmentTokens.PlatformAdmin("e2e-operator");

    public string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Debug or Release: the configuration this test assembly (and so every process under test) was built with.</summary>
    public string Configuration { get; } = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar))!)!;

    public string LogDirectory { get; private set; } = string.Empty;

    /// <summary>From starting the processes until every one of them was ready.</summary>
    public TimeSpan StartupDuration { get; private set; }

    /// <summary>The six services (not the gateway), in <see cref="ServiceCatalog"/> order.</summary>
    public IReadOnlyList<ServiceProcess> Services => _services;

    public ServiceProcess Gateway { get; private set; } = null!;

    /// <summary>Every process: the six services and the gateway.</summary>
    public IReadOnlyList<ServiceProcess> All => [.. _services, Gateway];

    public TestVirtualHost VirtualHost => _virtualHost ?? throw new InvalidOperationException("Not initialized.");

    public TestDatabase Database => _database ?? throw new InvalidOperationException("Not initialized.");

    /// <summary>
    /// The cluster the cluster-agent works on: the in-process fake API server (the only fake of the suite), which counts
    /// every server-side apply per object (<see cref="FakeKubernetesServer.ServerSideApplies"/>).
    /// </summary>
    public FakeKubernetesServer Kubernetes { get; private set; } = null!;

    public ServiceProcess this[string name] =>
        All.SingleOrDefault(process => process.Name == name) ?? throw new ArgumentException($"No process named {name}.", nameof(name));

    public async Task InitializeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit += KillChildren;
        try
        {
            _database = await TestDatabase.Create();
            _virtualHost = await TestVirtualHost.Create();
            LogDirectory = PrepareLogDirectory(_database.Name);
            Kubernetes = await FakeKubernetesServer.StartAsync();
            var kubeconfig = Path.Combine(LogDirectory, "kubeconfig");
            await File.WriteAllTextAsync(kubeconfig, Kubernetes.Kubeconfig());

            var startup = System.Diagnostics.Stopwatch.StartNew();
            var ports = FreePorts(ServiceCatalog.Count + 1);
            for (var i = 0; i < ServiceCatalog.Count; i++)
            {
                var (name, prefix, project, _) = ServiceCatalog[i];
                _services.Add(CreateProcess(name, prefix, project, ports[i]));
            }

            Gateway = CreateProcess("gateway", string.Empty, "gateway/GoCoffee.Gateway", ports[^1]);

            foreach (var service in _services)
            {
                var environment = new Dictionary<string, string>
                {
                    ["Urls"] = service.BaseAddress.ToString().TrimEnd('/'),
                    ["ConnectionStrings__Postgres"] = _database.ConnectionString,
                    ["ConnectionStrings__RabbitMq"] = _virtualHost.ConnectionStringFor(service.Name),
                    ["Messaging__BrokerUserPrefix"] = _virtualHost.UserPrefix,
                    [DevelopmentKeysVariable] = "true",
                };
                if (service.Name == "cluster-agent")
                {
                    environment["ClusterAgent__Target"] = "kubernetes";
                    environment["ClusterAgent__Kubeconfig"] = kubeconfig;
                }

                service.Start(environment);
            }

            // The gateway has no database; the bus brings it the tenant and API-key events.
            var gatewayEnvironment = new Dictionary<string, string>
            {
                ["Urls"] = Gateway.BaseAddress.ToString().TrimEnd('/'),
                ["ConnectionStrings__RabbitMq"] = _virtualHost.ConnectionStringFor("gateway"),
                ["Messaging__BrokerUserPrefix"] = _virtualHost.UserPrefix,
                [DevelopmentKeysVariable] = "true",
            };
            foreach (var (name, _, _, cluster) in ServiceCatalog)
            {
                if (cluster is not null)
                {
                    gatewayEnvironment[$"ReverseProxy__Clusters__{cluster}__Destinations__primary__Address"] = this[name].BaseAddress.ToString().TrimEnd('/');
                }
            }

            Gateway.Start(gatewayEnvironment);
            await WaitUntilReady(All, StartupTimeout);
            StartupDuration = startup.Elapsed;
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until every given process answers <c>/health/ready</c> with 200; on failure, shows their output.</summary>
    public async Task WaitUntilReady(IEnumerable<ServiceProcess> processes, TimeSpan timeout)
    {
        var waits = processes.Select(async process =>
        {
            try
            {
                await TestInfrastructure.Eventually(
                    async () =>
                    {
                        if (process.HasExited)
                        {
                            throw new InvalidOperationException($"{process.Name} exited before it was ready.");
                        }

                        using var response = await Http.GetAsync(new Uri(process.BaseAddress, "/health/ready"));
                        return response.StatusCode == HttpStatusCode.OK;
                    },
                    timeout,
                    $"{process.Name} answers /health/ready with 200");
                return null;
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
            {
                var health = await TryGet(new Uri(process.BaseAddress, "/health/ready"));
                return $"{ex.Message}{Environment.NewLine}/health/ready: {health}{Environment.NewLine}{process.Tail()}";
            }
        });

        var failures = (await Task.WhenAll(waits)).OfType<string>().ToList();
        if (failures.Count > 0)
        {
            throw new TimeoutException(
                $"{failures.Count} process(es) not ready within {timeout.TotalSeconds:0} s:{Environment.NewLine}{string.Join(Environment.NewLine + Environment.NewLine, failures)}");
        }
    }

    /// <summary>Starts <paramref name="process"/> again after it was killed (with <paramref name="overrides"/> for this run) and waits until it is ready.</summary>
    public async Task Restart(ServiceProcess process, IReadOnlyDictionary<string, string>? overrides = null)
    {
        process.Restart(overrides);
        await WaitUntilReady([process], StartupTimeout);
    }

    /// <summary>
    /// A second instance of <paramref name="name"/> (a service or the gateway) with the same environment (database schema,
    /// virtual host, downstream addresses) on a port of its own, as a second replica in a cluster would run; ready when
    /// this returns. Dispose it when done (the fixture disposes what is left).
    /// </summary>
    public async Task<ServiceProcess> StartReplica(string name, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var original = this[name];
        var port = FreePorts(1)[0];
        var replica = new ServiceProcess(
            $"{name}-replica-{_replicas.Count + 1}", original.RoutePrefix, original.BinDirectory, Path.GetFileNameWithoutExtension(original.AssemblyPath), port, LogDirectory);
        _replicas.Add(replica);
        var environment = new Dictionary<string, string>(original.StartEnvironment) { ["Urls"] = replica.BaseAddress.ToString().TrimEnd('/') };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        replica.Start(environment);
        await WaitUntilReady([replica], StartupTimeout);
        return replica;
    }

    /// <summary>The last lines of every process, for assertion messages.</summary>
    public string Diagnostics(int lines = 15) => string.Join(Environment.NewLine, All.Select(process => process.Tail(lines)));

    public async Task<string> TryGet(Uri uri)
    {
        try
        {
            using var response = await Http.GetAsync(uri);
            return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return $"{ex.GetType().Name}: {ex.Message}";
        }
    }

    public async Task DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        AppDomain.CurrentDomain.ProcessExit -= KillChildren;
        List<ServiceProcess> processes = Gateway is null ? [.. _services, .. _replicas] : [.. _services, Gateway, .. _replicas];
        await Task.WhenAll(processes.Select(process => Task.Run(process.Dispose)));
        Http.Dispose();
        if (Kubernetes is not null)
        {
            await Kubernetes.DisposeAsync();
        }

        if (_virtualHost is not null)
        {
            await _virtualHost.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    private ServiceProcess CreateProcess(string name, string routePrefix, string project, int port)
    {
        var binDirectory = Path.Combine(RepositoryRoot, project, "bin", Configuration, "net10.0");
        return new ServiceProcess(name, routePrefix, binDirectory, Path.GetFileName(project), port, LogDirectory);
    }

    private void KillChildren(object? sender, EventArgs e)
    {
        foreach (var process in _services.Append(Gateway).Concat(_replicas).OfType<ServiceProcess>())
        {
            process.Stop();
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GoCoffee.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No GoCoffee.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>A fresh folder for this run's process logs; only the five most recent runs are kept.</summary>
    private static string PrepareLogDirectory(string runName)
    {
        var root = Path.Combine(AppContext.BaseDirectory, "e2e-logs");
        Directory.CreateDirectory(root);
        foreach (var old in new DirectoryInfo(root).GetDirectories().OrderByDescending(d => d.CreationTimeUtc).Skip(4))
        {
            try
            {
                old.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Another run may still be writing there.
            }
        }

        return Directory.CreateDirectory(Path.Combine(root, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{runName}")).FullName;
    }

    /// <summary>Distinct free loopback ports: all listeners are held open until every port is chosen.</summary>
    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(listener => listener.Start());
            return [.. listeners.Select(listener => ((IPEndPoint)listener.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(listener => listener.Stop());
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<PlatformFixture>
{
    public const string Name = "Platform processes";
}
