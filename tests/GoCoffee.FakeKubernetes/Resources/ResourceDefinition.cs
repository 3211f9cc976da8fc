namespace GoCoffee.FakeKubernetes;

/// <summary>
/// One REST resource served by the fake: where it lives (<c>/api/v1</c> for the core group, <c>/apis/{group}/{version}</c>
/// otherwise), whether it is namespaced, and which subresources it has. Objects are stored per group and plural, so
/// registering a second version of the same resource serves the same objects (no conversion is done).
/// </summary>
public sealed record ResourceDefinition(string Group, string Version, string Kind, string Plural, bool Namespaced)
{
    public string Singular { get; init; } = Kind.ToLowerInvariant();
    public IReadOnlyList<string> ShortNames { get; init; } = [];
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>Serves <c>/status</c>; writes to the main resource then keep the stored status, and status writes touch only status.</summary>
    public bool HasStatus { get; init; }

    /// <summary>Serves <c>/scale</c> (autoscaling/v1 Scale) mapped onto these paths.</summary>
    public ScaleSubresource? Scale { get; init; }

    public NameRule NameRule { get; init; } = NameRule.DnsSubdomain;

    /// <summary>Dotted paths (e.g. <c>spec.selector</c>) a create or update must set, else 422 FieldValueRequired.</summary>
    public IReadOnlyList<string> RequiredFields { get; init; } = [];

    /// <summary>DELETE answers with the deleted object rather than a Success <c>Status</c> (as for custom resources and pods).</summary>
    public bool ReturnDeletedObject { get; init; }

    /// <summary>Accepts <c>application/strategic-merge-patch+json</c> (built-in kinds); custom resources answer 415.</summary>
    public bool SupportsStrategicMerge { get; init; } = true;

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
    public string ListKind => Kind + "List";

    /// <summary>kubectl's name for the resource: <c>deployments.apps</c>, <c>namespaces</c>.</summary>
    public string QualifiedName => FakeFailure.Qualified(Plural, Group);

    internal ResourceKey Key => new(Group, Plural);

    /// <summary>A custom resource as a CRD would declare it (status subresource on by default, deleted objects returned).</summary>
    public static ResourceDefinition Custom(
        string group, string version, string kind, string plural, bool namespaced = true, bool status = true, params string[] shortNames) =>
        new(group, version, kind, plural, namespaced)
        {
            HasStatus = status,
            ShortNames = shortNames,
            ReturnDeletedObject = true,
            SupportsStrategicMerge = false,
        };
}

/// <summary>Where a resource keeps what <c>/scale</c> shows, as in a CRD's <c>subresources.scale</c>.</summary>
public sealed record ScaleSubresource(
    string SpecReplicasPath = ".spec.replicas",
    string StatusReplicasPath = ".status.replicas",
    string? LabelSelectorPath = null);

/// <summary>The name format Kubernetes validates for a kind.</summary>
public enum NameRule
{
    /// <summary>RFC 1123 subdomain: most kinds.</summary>
    DnsSubdomain,

    /// <summary>RFC 1123 label: namespaces.</summary>
    DnsLabel,

    /// <summary>RFC 1035 label (starts with a letter): services.</summary>
    Dns1035Label,

    /// <summary>Any path segment (no '/', '%', not '.' or '..'): RBAC objects.</summary>
    PathSegment,
}

/// <summary>Storage identity of a resource: objects are shared by all versions of a group and plural.</summary>
internal readonly record struct ResourceKey(string Group, string Plural);
