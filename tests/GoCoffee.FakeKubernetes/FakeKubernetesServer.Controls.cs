namespace GoCoffee.FakeKubernetes;

public sealed partial class FakeKubernetesServer
{
    /// <summary>Every request received (up to <see cref="FakeKubernetesOptions.RequestLogLimit"/>, oldest first).</summary>
    public IReadOnlyList<FakeRequest> Requests => _controls.Requests;

    public void ClearRequests() => _controls.ClearRequests();

    /// <summary>
    /// How many server-side applies the server carried out, per object (and subresource): every apply counts, also one
    /// that changed nothing; refused ones (conflicts, invalid objects, injected failures) and dry runs do not. Unlike
    /// <see cref="Requests"/> it has no size limit.
    /// </summary>
    public IReadOnlyDictionary<AppliedObject, int> ServerSideApplies => _operations.Applies.Snapshot;

    /// <summary>Forgets the counted applies.</summary>
    public void ClearServerSideApplies() => _operations.Applies.Clear();

    /// <summary>
    /// Answers requests for which <paramref name="rule"/> returns a failure with that failure (as a Status) instead of
    /// serving them. Rules are checked in the order added; dispose the result to remove the rule.
    /// </summary>
    public IDisposable InjectFailure(Func<FakeRequest, FakeFailure?> rule) => _controls.Failures.Add(rule);

    /// <summary>
    /// Fails the next <paramref name="times"/> requests with <paramref name="verb"/> (get, list, watch, create, update,
    /// patch, delete, deletecollection or *) on <paramref name="resource"/> (plural, kind or short name, optionally
    /// <c>.group</c>, or *), optionally only for object <paramref name="name"/>.
    /// </summary>
    public IDisposable FailNext(string verb, string resource, FakeFailure failure, string? name = null, int times = 1)
    {
        var left = times;
        return InjectFailure(request =>
            request.IsVerb(verb) && request.IsFor(resource) && (name is null || request.Name == name) && Interlocked.Decrement(ref left) >= 0
                ? failure
                : null);
    }

    /// <summary>
    /// <see cref="FailNext(string, string, FakeFailure, string?, int)"/> with a Status for <paramref name="statusCode"/>:
    /// its usual reason (Invalid, Conflict, TooManyRequests, ...) and <paramref name="message"/>.
    /// </summary>
    public IDisposable FailNext(string verb, string resource, int statusCode, string? message = null, string? name = null, int times = 1) =>
        FailNext(verb, resource, FakeFailure.Status(statusCode, message) with { RetryAfterSeconds = statusCode == 429 ? 1 : null }, name, times);

    /// <summary>Delays requests that <paramref name="match"/> selects by <paramref name="delay"/> before serving them.</summary>
    public IDisposable Delay(Func<FakeRequest, bool> match, TimeSpan delay) =>
        _controls.Delays.Add(request => match(request) ? delay : null);

    /// <summary>Delays requests with <paramref name="verb"/> on <paramref name="resource"/> (and <paramref name="name"/>), as in <see cref="FailNext(string, string, FakeFailure, string?, int)"/>.</summary>
    public IDisposable Delay(string verb, string resource, TimeSpan delay, string? name = null) =>
        Delay(request => request.IsVerb(verb) && request.IsFor(resource) && (name is null || request.Name == name), delay);

    /// <summary>Ends every open watch stream now, as an API server does on restart; clients see the stream close.</summary>
    public void CloseWatches() => _store.CloseWatches();

    /// <summary>How many watch streams are open.</summary>
    public int OpenWatches => _store.OpenWatches;

    /// <summary>
    /// Forgets the change history: watching from any resourceVersion older than the current one now gets an ERROR
    /// event with a 410 Expired Status, and old list continue tokens 410. Returns the compacted resourceVersion.
    /// </summary>
    public string Compact() => _store.Compact().ToString(System.Globalization.CultureInfo.InvariantCulture);
}
