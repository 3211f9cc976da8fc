using System.Globalization;

namespace GoCoffee.Bench.Tenants;

/// <summary>
/// Command line (defaults shown): <c>--samples 30 --burst 100 --warmup 2 --poll-ms 10 --burst-poll-ms 25
/// --burst-shapes premium-2ns,enterprise-5ns --quiet-cores 0.3 --attempts 3</c>; to try settings without touching the
/// product, <c>--set Messaging:ConcurrentMessageLimit=32</c> (repeatable) and <c>--postgres-options "Maximum Pool Size=20"</c>
/// (appended to both services' connection string); <c>--no-write</c> leaves docs/BENCHMARKS.md alone.
/// </summary>
public sealed record BenchOptions(
    int Samples,
    int Burst,
    int WarmUp,
    TimeSpan PollInterval,
    TimeSpan BurstPollInterval,
    IReadOnlyList<TenantShape> BurstShapes,
    IReadOnlyDictionary<string, string?> Settings,
    string? PostgresOptions,
    double QuietCores,
    int Attempts,
    bool Write)
{
    public static IReadOnlyList<TenantShape> Shapes { get; } = [TenantShape.Premium, TenantShape.Enterprise];

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(30, 100, 2, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(25), [TenantShape.Premium, TenantShape.Enterprise], new Dictionary<string, string?>(), null, 0.3, 3, Write: true);
        var settings = new Dictionary<string, string?>();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--samples" => options with { Samples = Int() },
                "--burst" => options with { Burst = Int() },
                "--warmup" => options with { WarmUp = Int() },
                "--poll-ms" => options with { PollInterval = TimeSpan.FromMilliseconds(Int()) },
                "--burst-poll-ms" => options with { BurstPollInterval = TimeSpan.FromMilliseconds(Int()) },
                "--burst-shapes" => options with { BurstShapes = Value().Split(',').Select(name => Shapes.SingleOrDefault(s => s.Name == name) ?? throw new ArgumentException($"Unknown shape {name}; use {string.Join(", ", Shapes.Select(s => s.Name))}")).ToList() },
                "--postgres-options" => options with { PostgresOptions = Value() },
                "--quiet-cores" => options with { QuietCores = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--attempts" => options with { Attempts = Int() },
                "--set" => Set(options, settings, Value()),
                "--no-write" => options with { Write = false },
                _ => throw new ArgumentException($"Unknown option {args[i]}"),
            };
        }

        return options with { Settings = settings };
    }

    private static BenchOptions Set(BenchOptions options, Dictionary<string, string?> settings, string assignment)
    {
        var equals = assignment.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new ArgumentException($"--set takes Key=Value, not '{assignment}'");
        }

        settings[assignment[..equals]] = assignment[(equals + 1)..];
        return options;
    }
}
