using System.Diagnostics;
using System.Text.Json;

namespace GoCoffee.EndToEnd.Tests.Platform;

/// <summary>
/// One process of the platform, run as a child of the test process with <c>dotnet &lt;dll&gt;</c> from its own bin folder.
/// Every line it writes (stdout and stderr) is kept in memory, thread-safe, and copied to a log file for post-mortems.
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();
    private readonly StreamWriter _logFile;
    private Process? _process;

    public ServiceProcess(string name, string routePrefix, string binDirectory, string assemblyName, int port, string logDirectory)
    {
        Name = name;
        RoutePrefix = routePrefix;
        BinDirectory = binDirectory;
        AssemblyPath = Path.Combine(binDirectory, assemblyName + ".dll");
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        LogPath = Path.Combine(logDirectory, name + ".log");
        _logFile = new StreamWriter(LogPath, append: false) { AutoFlush = true };
    }

    /// <summary>The service's name as it identifies itself (log property <c>service</c>, probe answers).</summary>
    public string Name { get; }

    /// <summary>Where its HTTP API lives, e.g. <c>/api/tenants</c>; empty for the gateway.</summary>
    public string RoutePrefix { get; }

    public string BinDirectory { get; }

    public string AssemblyPath { get; }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public string LogPath { get; }

    public int Pid => _process?.Id ?? throw new InvalidOperationException($"{Name} was not started.");

    public bool HasExited => _process is null || _process.HasExited;

    /// <summary>The instance name the service reports (<c>ServiceIdentity.Instance</c>): machine name and process id.</summary>
    public string Instance => $"{Environment.MachineName}-{Pid}";

    /// <summary>The environment of the last <see cref="Start"/> (without a restart's overrides).</summary>
    public IReadOnlyDictionary<string, string> StartEnvironment { get; private set; } = new Dictionary<string, string>();

    /// <summary>How many lines were written before the current process started (its own output follows them).</summary>
    public int LinesBeforeStart { get; private set; }

    /// <summary>The structured log events of the current process only (not of one that was killed before it).</summary>
    public IReadOnlyList<LogEvent> LogEventsSinceStart => [.. Lines.Skip(LinesBeforeStart).Select(LogEvent.TryParse).OfType<LogEvent>()];

    /// <summary>
    /// SIGKILL, as the kernel's OOM killer or a node failure would end it: no shutdown hooks, no graceful stop of the
    /// bus, the relay or the HTTP server; open transactions and unacknowledged deliveries die with its connections.
    /// </summary>
    /// <returns>The exit code (137: killed by signal 9).</returns>
    public int Kill()
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} was not started.");
        var pid = process.Id;

        // The process itself (dotnet runs the app in-process, there is no child): Process.Kill sends SIGKILL on Unix;
        // the system's kill(1) says so explicitly.
        using (var kill = System.Diagnostics.Process.Start(new ProcessStartInfo("kill", ["-9", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!)
        {
            kill.WaitForExit(10_000);
        }

        if (!process.WaitForExit(10_000))
        {
            throw new InvalidOperationException($"{Name} (pid {pid}) survived SIGKILL.");
        }

        process.WaitForExit();
        Append($"[e2e] {Name} (pid {pid}) killed with SIGKILL: exit code {process.ExitCode}", error: true);
        return process.ExitCode;
    }

    /// <summary>Starts the process again with the environment of the last start, plus <paramref name="overrides"/> for this run only.</summary>
    public void Restart(IReadOnlyDictionary<string, string>? overrides = null)
    {
        if (!HasExited)
        {
            throw new InvalidOperationException($"{Name} is still running (pid {Pid}); kill it first.");
        }

        var environment = new Dictionary<string, string>(StartEnvironment);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        _process?.Dispose();
        var remembered = StartEnvironment;
        Start(environment);
        StartEnvironment = remembered;
    }

    public void Start(IReadOnlyDictionary<string, string> environment)
    {
        StartEnvironment = new Dictionary<string, string>(environment);
        LinesBeforeStart = Lines.Count;
        if (!File.Exists(AssemblyPath))
        {
            throw new FileNotFoundException($"{Name}: {AssemblyPath} does not exist; build the solution (or this test project, which builds every process) first.", AssemblyPath);
        }

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = BinDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(AssemblyPath);

        // Nothing of the test host's own configuration may leak into the service.
        foreach (var inherited in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS", "OTEL_EXPORTER_OTLP_ENDPOINT" })
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(e.Data, error: false);
        process.ErrorDataReceived += (_, e) => Append(e.Data, error: true);
        process.Exited += (_, _) => Append($"[e2e] {Name} exited", error: true);
        if (!process.Start())
        {
            throw new InvalidOperationException($"{Name}: dotnet {AssemblyPath} did not start.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>A snapshot of every line written so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>The structured (Serilog compact JSON) log events written so far; other lines are skipped.</summary>
    public IReadOnlyList<LogEvent> LogEvents => [.. Lines.Select(LogEvent.TryParse).OfType<LogEvent>()];

    public string Tail(int count = 40)
    {
        var lines = Lines;
        var status = _process is null ? "not started" : _process.HasExited ? $"exited with code {_process.ExitCode}" : $"running, pid {_process.Id}";
        return $"--- {Name} ({status}, {BaseAddress}, full log {LogPath}), last {Math.Min(count, lines.Count)} of {lines.Count} lines:{Environment.NewLine}"
               + string.Join(Environment.NewLine, lines.TakeLast(count));
    }

    /// <summary>Kills the process and everything it started; waits until it is gone.</summary>
    public void Stop()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Stop();
        _process?.Dispose();
        lock (_gate)
        {
            _logFile.Dispose();
        }
    }

    private void Append(string? line, bool error)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _lines.Add(line);
            try
            {
                _logFile.WriteLine(error ? "[stderr] " + line : line);
            }
            catch (ObjectDisposedException)
            {
                // Late output after the fixture was disposed.
            }
        }
    }
}

/// <summary>One Serilog compact-JSON log event: <c>@t</c>, <c>@mt</c>, <c>@l</c>, <c>@tr</c>, <c>@sp</c> and the properties.</summary>
public sealed class LogEvent
{
    private readonly JsonElement _root;

    private LogEvent(JsonElement root, string raw)
    {
        _root = root;
        Raw = raw;
    }

    public string Raw { get; }

    public string? MessageTemplate => this["@mt"];

    public string? TraceId => this["@tr"];

    public string? SpanId => this["@sp"];

    /// <summary>Absent for Information (the compact format leaves the default level out).</summary>
    public string Level => this["@l"] ?? "Information";

    /// <summary>A property rendered as a string (null when absent).</summary>
    public string? this[string property] =>
        _root.TryGetProperty(property, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;

    public static LogEvent? TryParse(string line)
    {
        if (!line.StartsWith('{'))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.ValueKind == JsonValueKind.Object ? new LogEvent(document.RootElement.Clone(), line) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public override string ToString() => Raw;
}
