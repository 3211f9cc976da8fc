using System.Collections.Concurrent;

namespace GoCoffee.FakeKubernetes;

/// <summary>Test-installed rules (injected failures, delays) and the request log.</summary>
internal sealed class RequestControls(int logLimit)
{
    private readonly ConcurrentQueue<FakeRequest> _log = new();

    public RuleList<Func<FakeRequest, FakeFailure?>> Failures { get; } = new();
    public RuleList<Func<FakeRequest, TimeSpan?>> Delays { get; } = new();

    public IReadOnlyList<FakeRequest> Requests => [.. _log];

    public void ClearRequests() => _log.Clear();

    public void Log(FakeRequest request)
    {
        _log.Enqueue(request);
        while (_log.Count > logLimit && _log.TryDequeue(out _))
        {
        }
    }

    /// <summary>The first failure rule that fires, in the order the rules were added.</summary>
    public FakeFailure? FailureFor(FakeRequest request)
    {
        foreach (var rule in Failures.Snapshot)
        {
            if (rule(request) is { } failure) return failure;
        }
        return null;
    }

    public TimeSpan DelayFor(FakeRequest request) =>
        Delays.Snapshot.Aggregate(TimeSpan.Zero, (total, rule) => total + (rule(request) ?? TimeSpan.Zero));
}

/// <summary>A copy-on-write list of rules; disposing what <see cref="Add"/> returns removes the rule.</summary>
internal sealed class RuleList<TRule>
    where TRule : class
{
    private readonly Lock _gate = new();
    private TRule[] _rules = [];

    public TRule[] Snapshot => Volatile.Read(ref _rules);

    public IDisposable Add(TRule rule)
    {
        lock (_gate) Volatile.Write(ref _rules, [.. _rules, rule]);
        return new Removal(() =>
        {
            lock (_gate) Volatile.Write(ref _rules, [.. _rules.Where(r => !ReferenceEquals(r, rule))]);
        });
    }

    private sealed class Removal(Action remove) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) remove();
        }
    }
}
