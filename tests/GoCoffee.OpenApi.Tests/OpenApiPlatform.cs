using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using GoCoffee.Testing;

namespace GoCoffee.OpenApi.Tests;

/// <summary>
/// Every <see cref="ServiceProjects">service project</see> running for real: each started with <c>dotnet &lt;dll&gt;</c>
/// from its bin folder (the configuration this assembly was built with) on a free loopback port, sharing a PostgreSQL
/// database and a RabbitMQ virtual host of their own; the gateway forwards to them. Ready when each answers
/// <c>/health/live</c>.
/// </summary>
public sealed class OpenApiPlatform : IAsyncLifetime
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(120);

    private readonly Dictionary<string, Child> _processes = [];

    // Outside Development the orders service refuses to start with the development callback secret and webhook key.
    private readonly string _callbackSecret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
    private TestDatabase? _database;
    private TestVirtualHost? _virtualHost;
    private string? _scratch;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Documents and generated clients of this run.</summary>
    public string Scratch => _scratch ?? throw new InvalidOperationException("Not initialized.");

    public Uri AddressOf(string name) => _processes[name].Address;

    public ServiceProject Gateway => ServiceProjects.All.Single(project => project.Project.StartsWith("gateway/", StringComparison.Ordinal));

    public async Task InitializeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit += KillChildren;
        _database = await TestDatabase.Create();
        _virtualHost = await TestVirtualHost.Create();
        _scratch = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"gocoffee-openapi-{_database.Name}")).FullName;
        var configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar))!)!;
        var ports = FreePorts(ServiceProjects.All.Count);
        var services = ServiceProjects.All.Where(project => project != Gateway).ToList();
        try
        {
            for (var i = 0; i < services.Count; i++)
            {
                _processes[services[i].Name] = Child.Start(services[i], configuration, ports[i], Environment(ports[i]));
            }

            var gateway = Environment(ports[^1]);
            gateway.Remove("ConnectionStrings__Postgres");
            foreach (var service in services)
            {
                gateway[$"ReverseProxy__Clusters__{service.Name}__Destinations__primary__Address"] = $"http://127.0.0.1:{_processes[service.Name].Address.Port}";
            }

            _processes[Gateway.Name] = Child.Start(Gateway, configuration, ports[^1], gateway);
            await Task.WhenAll(_processes.Values.Select(WaitUntilLive));
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>A document as the process serves it, saved to a file for the tools.</summary>
    public async Task<(JsonElement Document, string File)> Document(Uri address, string path, string fileName)
    {
        using var response = await Http.GetAsync(new Uri(address, path));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {address}{path.TrimStart('/')} answered {(int)response.StatusCode}: {text}");
        var file = Path.Combine(Scratch, fileName);
        await File.WriteAllTextAsync(file, text);
        using var document = JsonDocument.Parse(text);
        return (document.RootElement.Clone(), file);
    }

    public string Diagnostics(string name) => _processes.TryGetValue(name, out var child) ? child.Tail() : $"{name} was not started.";

    public async Task DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= KillChildren;
        foreach (var child in _processes.Values)
        {
            child.Dispose();
        }

        Http.Dispose();
        if (_virtualHost is not null)
        {
            await _virtualHost.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        if (_scratch is not null && Directory.Exists(_scratch))
        {
            Directory.Delete(_scratch, recursive: true);
        }
    }

    private Dictionary<string, string> Environment(int port) => new()
    {
        ["Urls"] = $"http://127.0.0.1:{port}",
        ["ConnectionStrings__Postgres"] = _database!.ConnectionString,
        ["ConnectionStrings__RabbitMq"] = _virtualHost!.ConnectionString,
        ["Platform__UseDevelopmentKeys"] = "true",
        ["ClusterAgent__ManifestsPath"] = Path.Combine(Scratch, "manifests"),
        ["Payments__Sandbox__CallbackSecret"] = _callbackSecret,
        ["Webhooks__SecretKey"] = _callbackSecret + "-webhooks",
        ["Alerts__IntakeToken"] = _callbackSecret + "-alert-intake-token",
    };

    private async Task WaitUntilLive(Child child)
    {
        try
        {
            await TestInfrastructure.Eventually(
                async () =>
                {
                    if (child.HasExited)
                    {
                        throw new InvalidOperationException($"{child.Project.Name} exited.");
                    }

                    using var response = await Http.GetAsync(new Uri(child.Address, "/health/live"));
                    return response.StatusCode == HttpStatusCode.OK;
                },
                StartupTimeout,
                $"{child.Project.Name} answers /health/live");
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{ex.Message}{System.Environment.NewLine}{child.Tail()}", ex);
        }
    }

    private void KillChildren(object? sender, EventArgs e)
    {
        foreach (var child in _processes.Values)
        {
            child.Dispose();
        }
    }

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

    /// <summary>One process, its output kept for diagnostics.</summary>
    private sealed class Child : IDisposable
    {
        private readonly Process _process;
        private readonly List<string> _lines = [];
        private readonly Lock _gate = new();

        private Child(ServiceProject project, Process process, Uri address)
        {
            Project = project;
            _process = process;
            Address = address;
        }

        public ServiceProject Project { get; }

        public Uri Address { get; }

        public bool HasExited => _process.HasExited;

        public static Child Start(ServiceProject project, string configuration, int port, IReadOnlyDictionary<string, string> environment)
        {
            var bin = Path.Combine(ServiceProjects.RepositoryRoot, project.Project, "bin", configuration, "net10.0");
            var assembly = Path.Combine(bin, project.AssemblyName + ".dll");
            if (!File.Exists(assembly))
            {
                throw new FileNotFoundException(
                    $"{project.Project}: {assembly} does not exist. Add the project to GoCoffee.OpenApi.Tests.csproj (ReferenceOutputAssembly=false) so building the tests builds it.",
                    assembly);
            }

            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = bin,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(assembly);
            foreach (var inherited in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "DOTNET_URLS", "OTEL_EXPORTER_OTLP_ENDPOINT" })
            {
                start.Environment.Remove(inherited);
            }

            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }

            var process = new Process { StartInfo = start };
            var child = new Child(project, process, new Uri($"http://127.0.0.1:{port}"));
            process.OutputDataReceived += (_, e) => child.Append(e.Data);
            process.ErrorDataReceived += (_, e) => child.Append(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return child;
        }

        public string Tail(int count = 30)
        {
            lock (_gate)
            {
                return $"--- {Project.Name} ({Address}), last lines:{System.Environment.NewLine}{string.Join(System.Environment.NewLine, _lines.TakeLast(count))}";
            }
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            _process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_gate)
            {
                _lines.Add(line);
            }
        }
    }
}
