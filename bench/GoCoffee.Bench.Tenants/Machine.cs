using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace GoCoffee.Bench.Tenants;

/// <summary>What the run ran on, read from /proc (Linux).</summary>
public sealed record MachineInfo(int Cores, string CpuModel, long MemoryMiB, string Os, string Runtime, string Gc)
{
    public static MachineInfo Read() => new(
        Environment.ProcessorCount,
        ProcLine("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
        long.TryParse(ProcLine("/proc/meminfo", "MemTotal")?.Split(' ')[0], CultureInfo.InvariantCulture, out var kib) ? kib / 1024 : 0,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        GCSettings.IsServerGC ? "server" : "workstation");

    /// <summary>The 1, 5 and 15 minute load averages, as <c>uptime</c> prints them.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>Linux pressure stall information: the share (%) of the last 10 s in which some task waited for a CPU.</summary>
    public static double? CpuPressure()
    {
        const string file = "/proc/pressure/cpu";
        var some = File.Exists(file) ? File.ReadLines(file).FirstOrDefault(l => l.StartsWith("some", StringComparison.Ordinal)) : null;
        var avg10 = some?.Split(' ').FirstOrDefault(f => f.StartsWith("avg10=", StringComparison.Ordinal));
        return avg10 is not null && double.TryParse(avg10["avg10=".Length..], CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    private static string? ProcLine(string file, string key)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }
}

/// <summary>
/// CPU spent during an interval, in cores (1.0 = one core busy the whole time): the whole machine from /proc/stat, this
/// process, PostgreSQL and RabbitMQ from /proc/[pid]/stat, and the rest ("others": other sessions' builds and tests).
/// </summary>
/// <remarks>
/// "Others" during a phase understates the competition: other sessions' processes get less CPU while the benchmark
/// takes it. <see cref="PressureAfter"/> (Linux PSI, share of the last 10 s in which some task waited for a CPU) and
/// the load average say how contended the machine was; a quiet check before each phase measures others while idle.
/// </remarks>
public sealed record CpuUse(double Seconds, double Machine, double Bench, double Postgres, double RabbitMq, string LoadBefore, string LoadAfter, double? PressureAfter)
{
    public double Others => Math.Max(0, Machine - Bench - Postgres - RabbitMq);

    public string Pressure => PressureAfter is { } psi ? string.Create(CultureInfo.InvariantCulture, $"{psi:0}%") : "n/a";

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"load {LoadBefore} → {LoadAfter}, CPU pressure {Pressure}; CPU (cores) bench {Bench:0.00}, PostgreSQL {Postgres:0.00}, RabbitMQ {RabbitMq:0.00}, others {Others:0.00} of {Environment.ProcessorCount}");
}

public sealed class CpuMeter
{
    /// <summary>The benchmark's own database: PostgreSQL backends serving another database count as other processes.</summary>
    public static string? OwnDatabase { get; set; }

    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux.

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly string _loadBefore = MachineInfo.LoadAverage();
    private readonly (long Busy, long Total) _machine = Machine();
    private readonly Dictionary<int, (string Group, long Ticks)> _processes = Processes();

    public CpuUse Stop()
    {
        var seconds = _clock.Elapsed.TotalSeconds;
        var (busy, _) = Machine();
        var processes = Processes();
        double Cores(long ticks) => ticks / TicksPerSecond / seconds;

        // Per process, so one that ended in between takes nothing away; one that started counts from zero.
        long Delta(string group) => processes
            .Where(p => p.Value.Group == group)
            .Sum(p => p.Value.Ticks - (_processes.TryGetValue(p.Key, out var before) && before.Group == group ? Math.Min(before.Ticks, p.Value.Ticks) : 0));
        return new CpuUse(seconds, Cores(busy - _machine.Busy), Cores(Delta("bench")), Cores(Delta("postgres")), Cores(Delta("rabbitmq")), _loadBefore, MachineInfo.LoadAverage(), MachineInfo.CpuPressure());
    }

    /// <summary>Busy and total jiffies of all CPUs (idle and iowait count as not busy).</summary>
    private static (long Busy, long Total) Machine()
    {
        if (!File.Exists("/proc/stat"))
        {
            return (0, 0);
        }

        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Sum();
        return (total - fields[3] - fields[4], total);
    }

    /// <summary>A backend's title is <c>postgres: user database host(port) state</c>; server processes name no database.</summary>
    private static bool ServesOtherDatabase(string dir)
    {
        if (OwnDatabase is null)
        {
            return false;
        }

        var title = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return title.Length >= 4 && title[0] == "postgres:" && title[3].Contains('(', StringComparison.Ordinal) && title[2] != OwnDatabase;
    }

    /// <summary>user + system jiffies of the live processes of the benchmark, PostgreSQL and RabbitMQ, by process id.</summary>
    private static Dictionary<int, (string Group, long Ticks)> Processes()
    {
        var groups = new Dictionary<int, (string, long)>();
        if (!Directory.Exists("/proc"))
        {
            return groups;
        }

        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var pid = Path.GetFileName(dir);
            if (!char.IsDigit(pid[0]))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                var name = stat[(open + 1)..close];
                var fields = stat[(close + 2)..].Split(' ');
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                var group = pid == self ? "bench" : name.StartsWith("postgres", StringComparison.Ordinal) && !ServesOtherDatabase(dir) ? "postgres" : name.StartsWith("beam", StringComparison.Ordinal) ? "rabbitmq" : null;
                if (group is not null)
                {
                    groups[int.Parse(pid, CultureInfo.InvariantCulture)] = (group, ticks);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                // The process ended while being read.
            }
        }

        return groups;
    }
}
