namespace GoCoffee.FakeKubernetes;

/// <summary>
/// A request as the fake understood it, for the request log and for failure/delay rules.
/// <see cref="Verb"/> is the Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection
/// (and "get" for discovery and other non-resource paths, where <see cref="Resource"/> is null).
/// </summary>
public sealed record FakeRequest(
    string Method,
    string Path,
    string QueryString,
    string? ContentType,
    string Verb,
    DateTimeOffset Time)
{
    public string? Group { get; init; }
    public string? Version { get; init; }

    /// <summary>The plural, e.g. <c>resourcequotas</c>.</summary>
    public string? Resource { get; init; }

    public string? Kind { get; init; }
    public string? Namespace { get; init; }
    public string? Name { get; init; }
    public string? Subresource { get; init; }
    public string? Body { get; init; }
    public string? UserAgent { get; init; }
    public IReadOnlyDictionary<string, string> Query { get; init; } = new Dictionary<string, string>();

    /// <summary>The resource the path addressed, for matching by short name or kind.</summary>
    internal ResourceDefinition? Definition { get; init; }

    /// <summary>
    /// Whether this request is for <paramref name="resource"/> as tests name it: plural, singular, kind or short name,
    /// optionally qualified with the group (<c>deployments.apps</c>), or <c>*</c> for any request.
    /// </summary>
    public bool IsFor(string resource) =>
        resource == "*" || (Definition is { } definition && ResourceSpec.Parse(resource).Matches(definition));

    /// <summary>Whether the verb matches (<c>*</c> for any). Writes to subresources have the usual verbs (PUT /status is "update").</summary>
    public bool IsVerb(string verb) => verb == "*" || string.Equals(verb, Verb, StringComparison.OrdinalIgnoreCase);
}
