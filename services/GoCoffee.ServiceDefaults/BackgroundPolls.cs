using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenTelemetry.Trace;

namespace GoCoffee.ServiceDefaults;

/// <summary>
/// A background loop's poll (the outbox relay looking for due rows, the GPU autoscaler's tick, the chain watcher asking
/// for a new block, ...): the spans it starts (its queries, its HTTP calls) are exported only once it found work.
/// A loop that polls twice a second would otherwise fill the trace store with identical traces of nothing. Spans that
/// belong to a trace already (a message's relay span carries the trace of the request that staged it) are kept.
/// </summary>
/// <example>
/// <code>
/// using var poll = BackgroundPolls.Start("outbox-relay");
/// var due = await Query();
/// if (due.Count == 0) return;
/// poll.Found();   // from here on, this poll's spans are exported
/// </code>
/// The scope is carried by the async flow: start it in the method that polls, so it ends with it.
/// </example>
public static class BackgroundPolls
{
    private static readonly AsyncLocal<Poll?> Current = new();

    private static readonly Counter<long> Polls = Telemetry.Meter.CreateCounter<long>(
        "gocoffee.background.polls",
        description: "Polls of the background loops (outbox relay, autoscaler, watchers), by loop and whether they found work");

    /// <summary>Whether the current async flow is in a poll that has not found work yet.</summary>
    public static bool InQuietPoll => Current.Value is { IsFound: false };

    /// <summary>Starts a poll: until <see cref="Poll.Found"/>, the spans it starts as roots of new traces are dropped.</summary>
    public static Poll Start(string loop)
    {
        var poll = new Poll(loop, Current.Value);
        Current.Value = poll;
        return poll;
    }

    /// <summary>The current poll, if any, found work (callable from deep inside it: a decision that changes something).</summary>
    public static void Found() => Current.Value?.Found();

    public sealed class Poll : IDisposable
    {
        private readonly string _loop;
        private readonly Poll? _outer;
        private volatile bool _found;
        private bool _disposed;

        internal Poll(string loop, Poll? outer)
        {
            _loop = loop;
            _outer = outer;
        }

        public bool IsFound => _found;

        /// <summary>The poll found work: the spans it starts from now on are exported.</summary>
        public void Found() => _found = true;

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Current.Value = _outer;
            Polls.Add(1, new KeyValuePair<string, object?>("loop", _loop), new KeyValuePair<string, object?>("outcome", _found ? "worked" : "idle"));
        }
    }
}

/// <summary>
/// The platform's sampler: the one <c>OTEL_TRACES_SAMPLER</c> (and <c>OTEL_TRACES_SAMPLER_ARG</c>) names, parent-based
/// always-on when unset, except that a new trace started by a background poll that has found no work yet
/// (<see cref="BackgroundPolls"/>) is dropped.
/// </summary>
internal sealed class QuietPollSampler : Sampler
{
    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);

    private readonly Sampler _inner;

    public QuietPollSampler(string? sampler = null, string? argument = null)
    {
        _inner = Configured(sampler, argument);
        Description = $"QuietPoll{{{_inner.Description}}}";
    }

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.ParentContext.TraceId == default && BackgroundPolls.InQuietPoll
            ? Drop
            : _inner.ShouldSample(samplingParameters);

    /// <summary>The OpenTelemetry specification's names for the built-in samplers (what the SDK reads when no sampler is set in code).</summary>
    internal static Sampler Configured(string? sampler, string? argument)
    {
        var ratio = double.TryParse(argument, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 1 ? value : 1.0;
        return sampler?.Trim().ToLowerInvariant() switch
        {
            "always_on" => new AlwaysOnSampler(),
            "always_off" => new AlwaysOffSampler(),
            "traceidratio" => new TraceIdRatioBasedSampler(ratio),
            "parentbased_always_off" => new ParentBasedSampler(new AlwaysOffSampler()),
            "parentbased_traceidratio" => new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio)),
            _ => new ParentBasedSampler(new AlwaysOnSampler()),
        };
    }
}
