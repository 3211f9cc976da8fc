namespace GoCoffee.FakeKubernetes;

/// <summary>The resources the server serves, changeable while it runs (tests and CRD objects register more).</summary>
internal sealed class ResourceRegistry
{
    private readonly Lock _gate = new();
    private IReadOnlyList<ResourceDefinition> _all = [];

    public ResourceRegistry(IEnumerable<ResourceDefinition> initial)
    {
        foreach (var resource in initial) Add(resource);
    }

    public IReadOnlyList<ResourceDefinition> All => Volatile.Read(ref _all);

    /// <summary>Adds or replaces the definition of group/version/plural.</summary>
    public ResourceDefinition Add(ResourceDefinition resource)
    {
        lock (_gate)
        {
            var others = _all.Where(r => !Same(r, resource.Group, resource.Version, resource.Plural));
            Volatile.Write(ref _all, [.. others, resource]);
        }
        return resource;
    }

    public void Remove(string group, string plural)
    {
        lock (_gate)
        {
            Volatile.Write(ref _all, [.. _all.Where(r => !(r.Group == group && r.Plural == plural))]);
        }
    }

    public ResourceDefinition? Find(string group, string version, string plural) =>
        All.FirstOrDefault(r => Same(r, group, version, plural));

    public ResourceDefinition? FindByKind(string apiVersion, string kind) =>
        All.FirstOrDefault(r => r.ApiVersion == apiVersion && r.Kind == kind);

    /// <summary>The storage key's first definition (any version), for operations that only know group and plural.</summary>
    public ResourceDefinition? Find(ResourceKey key) =>
        All.FirstOrDefault(r => r.Group == key.Group && r.Plural == key.Plural);

    /// <summary>
    /// Resolves what a person would type: <c>deployments</c>, <c>deployment</c>, <c>Deployment</c>, <c>deploy</c>,
    /// or qualified with the group as kubectl does: <c>deployments.apps</c>, <c>tenants.tenant.gocoffee.dev</c>.
    /// </summary>
    public ResourceDefinition Resolve(string resource)
    {
        var spec = ResourceSpec.Parse(resource);
        var matches = All.Where(spec.Matches).GroupBy(r => r.Key).ToList();
        return matches.Count switch
        {
            1 => matches[0].First(),
            0 => throw new ArgumentException($"The fake serves no resource \"{resource}\".", nameof(resource)),
            _ => throw new ArgumentException(
                $"\"{resource}\" is ambiguous: {string.Join(", ", matches.Select(m => m.First().QualifiedName))}.", nameof(resource)),
        };
    }

    /// <summary>Groups in first-registered order, each with its versions (the first registered is preferred).</summary>
    public IReadOnlyList<(string Group, IReadOnlyList<string> Versions)> Groups() =>
        [.. All.Where(r => r.Group.Length > 0)
            .GroupBy(r => r.Group)
            .Select(g => (g.Key, (IReadOnlyList<string>)[.. g.Select(r => r.Version).Distinct()]))];

    private static bool Same(ResourceDefinition r, string group, string version, string plural) =>
        r.Group == group && r.Version == version && r.Plural == plural;
}

/// <summary>A resource as typed by a test: a name (plural, singular, kind or short name) and an optional group.</summary>
internal sealed record ResourceSpec(string Name, string? Group)
{
    public static readonly ResourceSpec Any = new("*", null);

    public static ResourceSpec Parse(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? new ResourceSpec(text, null) : new ResourceSpec(text[..dot], text[(dot + 1)..]);
    }

    public bool Matches(ResourceDefinition r) =>
        (Group is null || r.Group == Group) &&
        (Name == "*" ||
         string.Equals(r.Plural, Name, StringComparison.OrdinalIgnoreCase) ||
         string.Equals(r.Singular, Name, StringComparison.OrdinalIgnoreCase) ||
         string.Equals(r.Kind, Name, StringComparison.OrdinalIgnoreCase) ||
         r.ShortNames.Contains(Name, StringComparer.OrdinalIgnoreCase));
}
