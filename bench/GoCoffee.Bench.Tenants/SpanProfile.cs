using System.Collections.Concurrent;
using System.Diagnostics;

namespace GoCoffee.Bench.Tenants;

/// <summary>One kind of span seen while profiling: how many, how long each, and their summed time (spans nest and overlap).</summary>
public sealed record SpanSummary(string Source, string Name, int Count, double P50Ms, double P99Ms, double TotalMs);

/// <summary>
/// The spans the platform already records (its own, MassTransit's, Marten's, Npgsql's), collected in-process while
/// a phase runs: the profile of where the services spent their time. The services trace every request anyway.
/// </summary>
public sealed class SpanProfile : IDisposable
{
    private static readonly HashSet<string> Sources = ["GoCoffee", "MassTransit", "Marten", "Npgsql"];

    private readonly ConcurrentQueue<(string Source, string Name, double Ms)> _spans = new();
    private readonly ActivityListener _listener;
    private volatile bool _recording;

    public SpanProfile()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => Sources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (_recording)
                {
                    _spans.Enqueue((activity.Source.Name, Normalise(activity.DisplayName), activity.Duration.TotalMilliseconds));
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Start()
    {
        _spans.Clear();
        _recording = true;
    }

    /// <summary>Leaves out what runs until <see cref="Resume"/> (the baselines between the platform's tenants).</summary>
    public void Pause() => _recording = false;

    public void Resume() => _recording = true;

    public IReadOnlyList<SpanSummary> Stop()
    {
        _recording = false;
        return _spans
            .GroupBy(s => (s.Source, s.Name))
            .Select(g => new SpanSummary(g.Key.Source, g.Key.Name, g.Count(), Statistics.Percentile(g.Select(s => s.Ms), 50), Statistics.Percentile(g.Select(s => s.Ms), 99), g.Sum(s => s.Ms)))
            .OrderByDescending(s => s.TotalMs)
            .ToList();
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>Per-tenant names (queues, objects) folded together so spans group by what they do.</summary>
    private static string Normalise(string name)
    {
        var line = name.ReplaceLineEndings(" ");
        return line.Length > 90 ? line[..90] + "…" : line;
    }
}
