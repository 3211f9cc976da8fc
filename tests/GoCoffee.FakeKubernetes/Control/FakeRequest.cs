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

    /// <summary>Whether this request is for <paramref name="resource"/> as tests name it: plural, kind, short name, optionally <c>.group</c>, or <c>*</c>.</summary>
    public bool IsFor(string resource)
    {
        if (resource == "*") return true;
        if (Resource is null) return false;
        var spec = ResourceSpec.Parse(resource);
        return (spec.Group is null || spec.Group == Group) &&
               (string.Equals(spec.Name, Resource, StringComparison.OrdinalIgnoreCase) ||
                string.Equals(spec.Name, Kind, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Whether the verb matches (<c>*</c> for any); "update" also matches PUT to subresources.</summary>
    public bool IsVerb(string verb) => verb == "*" || string.Equals(verb, Verb, StringComparison.OrdinalIgnoreCase);
}
