using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using GoCoffee.FakeKubernetes;
using GoCoffee.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace GoCoffee.EndToEnd.Tests.Platform;

/// <summary>
/// The whole platform as the app host runs it (<c>services/GoCoffee.AppHost</c> through <c>Aspire.Hosting.Testing</c>):
/// the six services and the gateway as project resources, each a process of its own started by the orchestrator, on free
/// loopback ports, sharing a PostgreSQL database and a RabbitMQ virtual host (with its per-process broker users) of their
/// own. Ready when every process answers <c>/health/ready</c> with 200. Replicas (a second tenant service, two more
/// gateways) are resources of the same model with an explicit start.
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

    /// <summary>The replicas the tests may start (<see cref="StartReplica"/>): of which process, how many.</summary>
    private static readonly IReadOnlyList<(string Of, int Count)> ReplicaSlots = [("tenant", 1), ("gateway", 2)];

    /// <summary>How long the processes may take to become ready (<c>GOCOFFEE_E2E_STARTUP_TIMEOUT</c> seconds overrides 90).</summary>
    public static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("GOCOFFEE_E2E_STARTUP_TIMEOUT"), out var seconds) && seconds > 0 ? seconds : 90);

    private readonly Dictionary<string, PlatformProcess> _processes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _replicasInUse = new(StringComparer.Ordinal);
    private readonly EnvironmentOverrides _overrides = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _logWatchers = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, CustomResourceSnapshot> _snapshots = new(StringComparer.Ordinal);
    private DistributedApplication? _app;
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

    public string LogDirectory { get; private set; } = string.Empty;

    /// <summary>From starting the app host until every process was ready.</summary>
    public TimeSpan StartupDuration { get; private set; }

    /// <summary>Building the app host's model (before anything starts).</summary>
    public TimeSpan BuildDuration { get; private set; }

    /// <summary>The six services (not the gateway), in <see cref="ServiceCatalog"/> order.</summary>
    public IReadOnlyList<PlatformProcess> Services => [.. ServiceCatalog.Select(service => this[service.Name])];

    public PlatformProcess Gateway => this["gateway"];

    /// <summary>Every process of the platform: the six services and the gateway (no replicas).</summary>
    public IReadOnlyList<PlatformProcess> All => [.. Services, Gateway];

    /// <summary>The run's own anvil node (the web3 service's ethereum network), on a free port.</summary>
    public Uri AnvilRpcUrl { get; private set; } = null!;

    /// <summary>The run's Prometheus (the app host's, on a free port): it scrapes every process and RabbitMQ with the alert pack loaded.</summary>
    public Uri PrometheusUrl { get; private set; } = null!;

    /// <summary>The run's Alertmanager (the app host's, on a free port), which Prometheus sends its alerts to.</summary>
    public Uri AlertmanagerUrl { get; private set; } = null!;

    /// <summary>The key the orders service's sandbox card provider signs its callbacks with (the app host's parameter, set for this run).</summary>
    public string SandboxCallbackSecret { get; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));

    /// <summary>The bearer token the observability service's alert intake accepts in this run (as Alertmanager sends it).</summary>
    public string AlertIntakeToken { get; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));

    /// <summary>The orders service's payment timeout in this run (short, so that the durable timeout fires within a test).</summary>
    public static readonly TimeSpan OrderPaymentTimeout = TimeSpan.FromSeconds(45);

    public TestVirtualHost VirtualHost => _virtualHost ?? throw new InvalidOperationException("Not initialized.");

    public TestDatabase Database => _database ?? throw new InvalidOperationException("Not initialized.");

    /// <summary>
    /// The cluster the cluster-agent works on: the in-process fake API server (the only fake of the suite), which counts
    /// every server-side apply per object (<see cref="FakeKubernetesServer.ServerSideApplies"/>).
    /// </summary>
    public FakeKubernetesServer Kubernetes { get; private set; } = null!;

    private DistributedApplication App => _app ?? throw new InvalidOperationException("Not initialized.");

    public PlatformProcess this[string name] =>
        _processes.GetValueOrDefault(name) ?? throw new ArgumentException($"No process named {name}.", nameof(name));

    public async Task InitializeAsync()
    {
        try
        {
            _database = await TestDatabase.Create();
            _virtualHost = await TestVirtualHost.Create();
            LogDirectory = PrepareLogDirectory(_database.Name);
            Kubernetes = await FakeKubernetesServer.StartAsync();
            var kubeconfig = Path.Combine(LogDirectory, "kubeconfig");
            await File.WriteAllTextAsync(kubeconfig, Kubernetes.Kubeconfig());

            var processes = ServiceCatalog.Select(service => (service.Name, service.RoutePrefix)).Append((Name: "gateway", RoutePrefix: string.Empty)).ToList();
            var replicas = ReplicaSlots.SelectMany(slot => Enumerable.Range(1, slot.Count).Select(n => (Name: $"{slot.Of}-replica-{n}", slot.Of))).ToList();
            var ports = FreePorts(processes.Count + replicas.Count + 3);
            var (anvilPort, prometheusPort, alertmanagerPort) = (ports[^3], ports[^2], ports[^1]);
            AnvilRpcUrl = new Uri($"http://127.0.0.1:{anvilPort}");
            PrometheusUrl = new Uri($"http://127.0.0.1:{prometheusPort}");
            AlertmanagerUrl = new Uri($"http://127.0.0.1:{alertmanagerPort}");

            var clock = Stopwatch.StartNew();
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.GoCoffee_AppHost>(
                [.. AppHostArguments(processes.Select(p => p.Name), ports, kubeconfig), .. CoffeeArguments(ports[processes.FindIndex(p => p.Name == "gateway")], anvilPort), $"--GoCoffee:Ports:alertmanager={alertmanagerPort}"],
                (options, _) =>
                {
                    options.DisableDashboard = true;
                    options.AllowUnsecuredTransport = true;
                });
            ((IConfigurationBuilder)builder.Configuration).Add(_overrides);
            // The app host's own log goes to a file (not the test's console); each resource's output to its own.
            builder.Services.AddLogging(logging => logging.ClearProviders().AddProvider(new FileLoggerProvider(Path.Combine(LogDirectory, "apphost.log"))));
            for (var i = 0; i < replicas.Count; i++)
            {
                AddReplica(builder, replicas[i].Name, replicas[i].Of, ports[processes.Count + i]);
            }

            MoveLocalTools(builder, anvilPort, prometheusPort);

            _app = await builder.BuildAsync();
            BuildDuration = clock.Elapsed;

            var notifications = _app.Services.GetRequiredService<ResourceNotificationService>();
            var resources = processes.Select((p, i) => (p.Name, p.RoutePrefix, Port: ports[i]))
                .Concat(replicas.Select((r, i) => (r.Name, processes.Single(p => p.Name == r.Of).RoutePrefix, Port: ports[processes.Count + i])))
                .ToList();
            foreach (var (name, prefix, port) in resources)
            {
                _processes.Add(name, new PlatformProcess(name, prefix, port, LogDirectory, notifications, _snapshots.GetValueOrDefault));
            }

            WatchSnapshots(notifications);

            var startup = Stopwatch.StartNew();
            await _app.StartAsync();

            // Once the app host runs, it streams a resource's output to whoever watches it, from the first line on (a
            // watch that begins before the orchestrator listens for watchers may never be served).
            WatchLogs(_app.Services.GetRequiredService<ResourceLoggerService>(), _app.Services.GetRequiredService<DistributedApplicationModel>());
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
    public async Task WaitUntilReady(IEnumerable<PlatformProcess> processes, TimeSpan timeout)
    {
        var waits = processes.Select(async process =>
        {
            try
            {
                await TestInfrastructure.Eventually(
                    async () =>
                    {
                        if (KnownResourceStates.TerminalStates.Contains(process.State))
                        {
                            throw new InvalidOperationException($"{process.Name} ended ({process.State}) before it was ready.");
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

    /// <summary>
    /// Starts <paramref name="process"/> again after it was killed, through the resource's start command, with
    /// <paramref name="overrides"/> added to its environment for this run only (the app host reads
    /// <c>GoCoffee:Environment:&lt;process&gt;</c> at every start), and waits until it is ready.
    /// </summary>
    public async Task Restart(PlatformProcess process, IReadOnlyDictionary<string, string>? overrides = null)
    {
        if (!process.HasExited)
        {
            throw new InvalidOperationException($"{process.Name} is still running (pid {process.Pid}); kill it first.");
        }

        await Start(process, overrides);
    }

    /// <summary>
    /// Another instance of <paramref name="name"/> (the tenant service or the gateway) with the same environment (database
    /// schema, virtual host, broker login, downstream addresses) on a port of its own, as a second replica in a cluster
    /// would run, plus <paramref name="overrides"/>; ready when this returns. Stop it with <see cref="StopReplica"/>.
    /// </summary>
    public async Task<PlatformProcess> StartReplica(string name, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var slot = ReplicaSlots.Single(s => s.Of == name);
        var replica = Enumerable.Range(1, slot.Count).Select(n => $"{name}-replica-{n}").FirstOrDefault(_replicasInUse.Add)
                      ?? throw new InvalidOperationException($"All {slot.Count} replica(s) of {name} are in use; the app host model has no more.");
        await Start(this[replica], overrides);
        return this[replica];
    }

    /// <summary>Ends a replica as the process harness always did (SIGKILL: nothing of it is under test any more) and frees its slot.</summary>
    public async Task StopReplica(PlatformProcess replica)
    {
        if (!replica.HasExited)
        {
            await replica.Kill();
        }

        _replicasInUse.Remove(replica.Name);
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
        if (_app is not null)
        {
            // Stops every resource (the orchestrator ends what it started), then the orchestrator itself.
            await _app.StopAsync();
            await _app.DisposeAsync();
            DeleteMonitoringFolder();
        }

        await _stopping.CancelAsync();
        await Task.WhenAll(_logWatchers).ContinueWith(_ => { }, TaskScheduler.Default);
        foreach (var process in _processes.Values)
        {
            process.Dispose();
        }

        _stopping.Dispose();
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

    /// <summary>
    /// The app host's configuration for this run: its own database and virtual host (a broker login per process), the
    /// ports, the development keys, the fake API server as the cluster-agent's cluster, and no restarts of crashed
    /// processes by the app host (the crash tests restart them, when they choose).
    /// </summary>
    private IEnumerable<string> AppHostArguments(IEnumerable<string> processes, int[] ports, string kubeconfig)
    {
        yield return $"--ConnectionStrings:Postgres={Database.ConnectionString}";
        yield return $"--GoCoffee:RabbitMq:UserPrefix={VirtualHost.UserPrefix}";
        yield return "--GoCoffee:DevelopmentKeys=true";
        yield return "--GoCoffee:CrashRestarts=0";
        yield return $"--GoCoffee:ClusterAgent:ManifestsPath={Path.Combine(LogDirectory, "manifests")}";
        yield return "--GoCoffee:Environment:cluster-agent:ClusterAgent__Target=kubernetes";
        yield return $"--GoCoffee:Environment:cluster-agent:ClusterAgent__Kubeconfig={kubeconfig}";
        var i = 0;
        foreach (var process in processes)
        {
            yield return $"--GoCoffee:Ports:{process}={ports[i++]}";
            yield return $"--ConnectionStrings:rabbitmq-{process}={VirtualHost.ConnectionStringFor(process)}";
        }
    }

    /// <summary>
    /// The orders service's settings for this run: a payment timeout a test can wait for, the sandbox provider's
    /// callbacks sent to the gateway's public callback route (as a real provider calls the platform's public address)
    /// and signed with a secret the tests know, webhooks allowed to the tests' receiver on loopback and retried quickly
    /// (for as long as a test keeps its receiver refusing); the web3 service on this run's anvil.
    /// </summary>
    private IEnumerable<string> CoffeeArguments(int gatewayPort, int anvilPort)
    {
        yield return $"--Parameters:orders-sandbox-callback-secret={SandboxCallbackSecret}";
        yield return $"--Parameters:observability-alert-intake-token={AlertIntakeToken}";
        yield return $"--GoCoffee:Environment:orders:Orders__PaymentTimeout={OrderPaymentTimeout}";
        yield return $"--GoCoffee:Environment:orders:Payments__Sandbox__CallbackUrl=http://127.0.0.1:{gatewayPort}/api/orders/payments/callbacks/sandbox";
        yield return "--GoCoffee:Environment:orders:Webhooks__AllowPrivateNetworks=true";
        yield return "--GoCoffee:Environment:orders:Webhooks__PollInterval=00:00:00.200";
        yield return "--GoCoffee:Environment:orders:Webhooks__BaseDelay=00:00:00.200";
        yield return "--GoCoffee:Environment:orders:Webhooks__MaxDelay=00:00:01";
        yield return "--GoCoffee:Environment:orders:Webhooks__MaxAttempts=1000";
        yield return $"--GoCoffee:Environment:web3:Web3__Networks__ethereum__RpcUrl=http://127.0.0.1:{anvilPort}";
    }

    /// <summary>
    /// The local tools the app host starts (anvil, Prometheus, Alertmanager) listen on fixed ports (8545, 9090, 9093); a
    /// run of the tests puts them on free ports (Alertmanager's through <c>GoCoffee:Ports:alertmanager</c>), so that it shares nothing with <c>./run.sh</c> or another run on the same machine.
    /// </summary>
    private static void MoveLocalTools(IDistributedApplicationTestingBuilder builder, int anvilPort, int prometheusPort)
    {
        var anvil = builder.Resources.OfType<ExecutableResource>().Single(resource => resource.Name == "anvil");
        anvil.Annotations.Add(new CommandLineArgsCallbackAnnotation(args => args[args.IndexOf("--port") + 1] = anvilPort.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var prometheus = builder.Resources.OfType<ExecutableResource>().Single(resource => resource.Name == "prometheus");
        prometheus.Annotations.Add(new CommandLineArgsCallbackAnnotation(args =>
        {
            var listen = args.Select((arg, i) => (Arg: arg as string, Index: i)).Single(a => a.Arg?.StartsWith("--web.listen-address=", StringComparison.Ordinal) == true).Index;
            args[listen] = $"--web.listen-address=127.0.0.1:{prometheusPort}";
        }));
        var ai = builder.Resources.OfType<ProjectResource>().Single(resource => resource.Name == "ai-workload");
        ai.Annotations.Add(new EnvironmentCallbackAnnotation((EnvironmentCallbackContext context) => context.EnvironmentVariables["AiWorkloads__Autoscaler__PrometheusUrl"] = $"http://127.0.0.1:{prometheusPort}"));
    }

    /// <summary>
    /// A replica of <paramref name="of"/>: the same project with the same environment (the original's environment
    /// callbacks: connection strings, broker login, keys, downstream addresses), its own address, and its own
    /// <c>GoCoffee:Environment:&lt;replica&gt;</c> settings; started only when a test asks for it.
    /// </summary>
    private static void AddReplica(IDistributedApplicationTestingBuilder builder, string name, string of, int port)
    {
        var original = builder.Resources.OfType<ProjectResource>().Single(resource => resource.Name == of);
        var configuration = builder.Configuration;
        builder.AddProject(name, original.GetProjectMetadata().ProjectPath, options => options.ExcludeLaunchProfile = true)
            .WithHttpEndpoint(port: port, isProxied: false)
            .WithHttpHealthCheck("/health/ready")
            .WithExplicitStart()
            .WithEnvironment(async context =>
            {
                foreach (var annotation in original.Annotations.OfType<EnvironmentCallbackAnnotation>().ToList())
                {
                    await annotation.Callback(context);
                }

                context.EnvironmentVariables["Urls"] = $"http://127.0.0.1:{port}";
                foreach (var setting in configuration.GetSection($"GoCoffee:Environment:{name}").GetChildren())
                {
                    context.EnvironmentVariables[setting.Key] = setting.Value ?? string.Empty;
                }
            });
    }

    private async Task Start(PlatformProcess process, IReadOnlyDictionary<string, string>? overrides)
    {
        var previous = process.Snapshot?.Properties.Any(p => p.Name == "executable.pid") == true && !process.HasExited ? process.Pid : (int?)null;
        _overrides.Replace(process.Name, overrides);
        try
        {
            process.MarkStart();
            await Execute(process, KnownResourceCommands.StartCommand);
            using var timeout = new CancellationTokenSource(StartupTimeout);
            try
            {
                await App.Services.GetRequiredService<ResourceNotificationService>().WaitForResourceAsync(
                    process.Name,
                    e => e.Snapshot.State?.Text == KnownResourceStates.Running && !process.HasExited && process.Pid != previous,
                    timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{process.Name} is not running {StartupTimeout.TotalSeconds:0} s after its start command.{Environment.NewLine}{process.Tail()}");
            }

            await WaitUntilReady([process], StartupTimeout);
        }
        finally
        {
            _overrides.Replace(process.Name, null);
        }
    }

    private async Task Execute(PlatformProcess process, string command)
    {
        var result = await App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(process.Name, command);
        if (!result.Success)
        {
            throw new InvalidOperationException($"{command} of {process.Name} failed: {result.Message}{Environment.NewLine}{process.Tail()}");
        }
    }

    /// <summary>Keeps the latest snapshot of every resource, by resource name.</summary>
    private void WatchSnapshots(ResourceNotificationService notifications) =>
        _logWatchers.Add(Task.Run(async () =>
        {
            await foreach (var update in notifications.WatchAsync(_stopping.Token))
            {
                _snapshots[update.Resource.Name] = update.Snapshot;
            }
        }));

    /// <summary>Collects each resource's console output (stdout and stderr) as the app host's resource logger streams it.</summary>
    private void WatchLogs(ResourceLoggerService loggers, DistributedApplicationModel model)
    {
        foreach (var process in _processes.Values)
        {
            var resource = model.Resources.Single(r => r.Name == process.Name);
            _logWatchers.Add(Task.Run(async () =>
            {
                await foreach (var batch in loggers.WatchAsync(resource).WithCancellation(_stopping.Token))
                {
                    foreach (var line in batch)
                    {
                        process.Append(WithoutTimestamp(line.Content), line.IsErrorMessage);
                    }
                }
            }));
        }
    }

    /// <summary>The orchestrator prefixes every line with its own ISO 8601 time stamp; the process's line follows it.</summary>
    private static string WithoutTimestamp(string content) =>
        content.Length > 28 && char.IsAsciiDigit(content[0]) && content[10] == 'T' && content.IndexOf("Z ", StringComparison.Ordinal) is var end and > 18 and < 36
            ? content[(end + 2)..]
            : content;

    /// <summary>The run's Prometheus and Alertmanager configurations and data (the app host's <c>.run/monitoring-&lt;gateway port&gt;</c>).</summary>
    private void DeleteMonitoringFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GoCoffee.sln")))
            {
                try
                {
                    var folder = Path.Combine(directory.FullName, ".run", $"monitoring-{Gateway.Port}");
                    if (Directory.Exists(folder))
                    {
                        Directory.Delete(folder, recursive: true);
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Left for the next clean of .run.
                }

                return;
            }
        }
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

    /// <summary>
    /// <c>GoCoffee:Environment:&lt;process&gt;:&lt;VARIABLE&gt;</c> settings a test sets for one start of a process and
    /// removes afterwards (a configuration provider, so that they leave no key behind).
    /// </summary>
    private sealed class EnvironmentOverrides : ConfigurationProvider, IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

        public void Replace(string process, IReadOnlyDictionary<string, string>? variables)
        {
            var prefix = $"GoCoffee:Environment:{process}:";
            foreach (var key in Data.Keys.Where(key => key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).ToList())
            {
                Data.Remove(key);
            }

            foreach (var (variable, value) in variables ?? new Dictionary<string, string>())
            {
                Data[prefix + variable] = value;
            }

            OnReload();
        }
    }

    /// <summary>The app host's own log (orchestrator, resource states, health checks), for post-mortems.</summary>
    private sealed class FileLoggerProvider(string path) : ILoggerProvider
    {
        private readonly StreamWriter _writer = new(path, append: false) { AutoFlush = true };
        private readonly Lock _gate = new();

        public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

        public void Dispose()
        {
            lock (_gate)
            {
                _writer.Dispose();
            }
        }

        private void Write(string line)
        {
            lock (_gate)
            {
                try
                {
                    _writer.WriteLine(line);
                }
                catch (ObjectDisposedException)
                {
                    // Late lines after the app host was disposed.
                }
            }
        }

        private sealed class FileLogger(FileLoggerProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            // The resources' own output is in their log files already.
            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information && !category.Contains(".Resources.", StringComparison.Ordinal);

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    provider.Write($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? string.Empty : Environment.NewLine + exception)}");
                }
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<PlatformFixture>
{
    public const string Name = "Platform processes";
}
