using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting.ApplicationModel;

namespace GoCoffee.EndToEnd.Tests.Platform;

/// <summary>
/// One process of the platform: a project resource of the app host, started and watched by its orchestrator. The process
/// id is the resource's (<c>executable.pid</c> of its snapshot); every line the process writes (stdout and stderr, as the
/// app host's resource logger gets it) is kept in memory, thread-safe, and copied to a log file for post-mortems.
/// </summary>
public sealed class PlatformProcess : IDisposable
{
    private const string PidProperty = "executable.pid";

    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();
    private readonly StreamWriter _logFile;
    private readonly ResourceNotificationService _notifications;
    private readonly Func<string, CustomResourceSnapshot?> _snapshots;

    internal PlatformProcess(string name, string routePrefix, int port, string logDirectory, ResourceNotificationService notifications, Func<string, CustomResourceSnapshot?> snapshots)
    {
        Name = name;
        RoutePrefix = routePrefix;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        LogPath = Path.Combine(logDirectory, name + ".log");
        _logFile = new StreamWriter(LogPath, append: false) { AutoFlush = true };
        _notifications = notifications;
        _snapshots = snapshots;
    }

    /// <summary>The app host's resource name: the service's name (as it identifies itself) or a replica's.</summary>
    public string Name { get; }

    /// <summary>Where its HTTP API lives, e.g. <c>/api/tenants</c>; empty for the gateway.</summary>
    public string RoutePrefix { get; }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public string LogPath { get; }

    /// <summary>The resource's current snapshot, as the app host last published it.</summary>
    public CustomResourceSnapshot? Snapshot => _snapshots(Name);

    /// <summary>The resource's state (<c>Running</c>, <c>Exited</c>, ...).</summary>
    public string? State => Snapshot?.State?.Text;

    /// <summary>
    /// The service's own process: the orchestrator runs a project as <c>dotnet run --no-build</c> (the snapshot's
    /// <c>executable.pid</c>), which runs the service's executable as its only child; that child is the service.
    /// </summary>
    public int Pid => PidOf(Snapshot) is { } launcher
        ? ServiceProcessOf(launcher)
        : throw new InvalidOperationException($"{Name} has no process (state {State ?? "unknown"}).");

    /// <summary>True when the resource is in a terminal state or its process is gone.</summary>
    public bool HasExited
    {
        get
        {
            var snapshot = Snapshot;
            return snapshot is null
                   || KnownResourceStates.TerminalStates.Contains(snapshot.State?.Text)
                   || PidOf(snapshot) is not { } pid
                   || !IsAlive(pid);
        }
    }

    /// <summary>The instance name the service reports (<c>ServiceIdentity.Instance</c>): machine name and process id.</summary>
    public string Instance => $"{Environment.MachineName}-{Pid}";

    /// <summary>How many lines were written before the current process started (its own output follows them).</summary>
    public int LinesBeforeStart { get; private set; }

    /// <summary>The structured log events of the current process only (not of one that was killed before it).</summary>
    public IReadOnlyList<LogEvent> LogEventsSinceStart => [.. Lines.Skip(LinesBeforeStart).Select(LogEvent.TryParse).OfType<LogEvent>()];

    /// <summary>A snapshot of every line written so far, by every process this resource ran.</summary>
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

    /// <summary>
    /// SIGKILL, as the kernel's OOM killer or a node failure would end it: no shutdown hooks, no graceful stop of the
    /// bus, the relay or the HTTP server; open transactions and unacknowledged deliveries die with its connections.
    /// Returns once the process is gone and the app host saw it end.
    /// </summary>
    /// <returns>The exit code the app host reports for it (137: killed by signal 9).</returns>
    public async Task<int> Kill()
    {
        var pid = Pid;
        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-9", pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!)
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        ResourceEvent ended;
        try
        {
            ended = await _notifications.WaitForResourceAsync(
                Name, e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text) && e.Snapshot.ExitCode is not null, timeout.Token);
            while (IsAlive(pid))
            {
                await Task.Delay(50, timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException($"{Name} (pid {pid}) did not end after SIGKILL within 30 s (state {State}).{Environment.NewLine}{Tail()}");
        }

        var exitCode = ended.Snapshot.ExitCode!.Value;
        Append($"[e2e] {Name} (pid {pid}) killed with SIGKILL: the app host reports state {ended.Snapshot.State?.Text}, exit code {exitCode}", error: true);
        return exitCode;
    }

    /// <summary>Marks where the output of the process about to start begins (<see cref="LogEventsSinceStart"/>).</summary>
    internal void MarkStart()
    {
        lock (_gate)
        {
            LinesBeforeStart = _lines.Count;
        }
    }

    public string Tail(int count = 40)
    {
        var lines = Lines;
        var snapshot = Snapshot;
        var status = snapshot is null
            ? "unknown to the app host"
            : $"{snapshot.State?.Text}{(snapshot.ExitCode is { } code ? $", exit code {code}" : string.Empty)}{(PidOf(snapshot) is { } pid ? $", pid {pid}" : string.Empty)}, health {snapshot.HealthStatus?.ToString() ?? "none"}";
        return $"--- {Name} ({status}, {BaseAddress}, full log {LogPath}), last {Math.Min(count, lines.Count)} of {lines.Count} lines:{Environment.NewLine}"
               + string.Join(Environment.NewLine, lines.TakeLast(count));
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _logFile.Dispose();
        }
    }

    internal void Append(string? line, bool error)
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

    private static int? PidOf(CustomResourceSnapshot? snapshot) =>
        snapshot?.Properties.FirstOrDefault(property => property.Name == PidProperty)?.Value is { } value
        && int.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)
            ? pid
            : null;

    /// <summary>The only child of the launcher (the service's executable), or the launcher itself when it has none (it runs the service in-process).</summary>
    private int ServiceProcessOf(int launcher)
    {
        var children = new List<int>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{launcher}/task"))
            {
                children.AddRange(File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(pid => int.Parse(pid, CultureInfo.InvariantCulture)));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The launcher is gone: so is the service (it exits with it).
        }

        return children.Count switch
        {
            0 => launcher,
            1 => children[0],
            _ => throw new InvalidOperationException($"{Name}: the launcher (pid {launcher}) has {children.Count} children: {string.Join(", ", children)}."),
        };
    }

    /// <summary>Whether the process still exists (its children are reaped by the orchestrator, so a dead one leaves no zombie for long).</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
