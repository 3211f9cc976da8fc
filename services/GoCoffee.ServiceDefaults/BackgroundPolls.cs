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
    private static readonly AsyncLocal<bool> Quiet = new();

    private static readonly Counter<long> Polls = Telemetry.Meter.CreateCounter<long>(
        "gocoffee.background.polls",
        description: "Polls of the background loops (outbox relay, autoscaler, watchers), by loop and whether they found work");

    /// <summary>Whether the current async flow is in a poll that has not found work yet.</summary>
    public static bool InQuietPoll => Quiet.Value;

    /// <summary>Starts a poll: until <see cref="Poll.Found"/>, the spans it starts as roots of new traces are dropped.</summary>
    public static Poll Start(string loop)
    {
        var outer = Quiet.Value;
        Quiet.Value = true;
        return new Poll(loop, outer);
    }

    public sealed class Poll : IDisposable
    {
        private readonly string _loop;
        private readonly bool _outer;
        private bool _found;
        private bool _disposed;

        internal Poll(string loop, bool outer)
        {
            _loop = loop;
            _outer = outer;
        }

        /// <summary>The poll found work: the spans it starts from now on are exported.</summary>
        public void Found()
        {
            _found = true;
            Quiet.Value = false;
        }

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Quiet.Value = _outer;
            Polls.Add(1, new KeyValuePair<string, object?>("loop", _loop), new KeyValuePair<string, object?>("outcome", _found ? "worked" : "idle"));
        }
    }
}

/// <summary>
/// The platform's sampler: every span whose parent is sampled, and every new trace, except a new trace started by a
/// background poll that has found no work yet (<see cref="BackgroundPolls"/>).
/// </summary>
internal sealed class QuietPollSampler : Sampler
{
    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);

    private readonly Sampler _inner = new ParentBasedSampler(new AlwaysOnSampler());

    public QuietPollSampler() => Description = "QuietPollSampler{ParentBased{AlwaysOn}}";

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.ParentContext.TraceId == default && BackgroundPolls.InQuietPoll
            ? Drop
            : _inner.ShouldSample(samplingParameters);
}
