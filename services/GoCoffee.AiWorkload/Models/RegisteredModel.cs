using GoCoffee.Contracts.Ai;

namespace GoCoffee.AiWorkload.Models;

/// <summary>A registered version of a model: never changed once registered, except for being archived.</summary>
public sealed class ModelVersion
{
    public string Version { get; set; } = string.Empty;

    public string Framework { get; set; } = string.Empty;

    public string Source { get; set; } = string.Empty;

    public Dictionary<string, string> Metadata { get; set; } = [];

    public ModelPerformance? Performance { get; set; }

    public string RegisteredBy { get; set; } = string.Empty;

    public DateTimeOffset RegisteredAt { get; set; }

    public bool Archived { get; set; }

    public string? ArchivedBy { get; set; }

    public DateTimeOffset? ArchivedAt { get; set; }
}

/// <summary>An alias moved: who, when, from which version (null when it was created) to which.</summary>
public sealed record AliasMove(string Alias, string? From, string To, string By, DateTimeOffset At);

/// <summary>
/// One model of a tenant's registry (id <c>tenant/name</c>): its versions, its aliases and every move of an alias.
/// Stored with optimistic concurrency: two concurrent changes to one model cannot both win.
/// </summary>
public sealed class RegisteredModel
{
    public string Id { get; set; } = string.Empty;

    public string TenantId { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public List<ModelVersion> Versions { get; set; } = [];

    public Dictionary<string, string> Aliases { get; set; } = [];

    public List<AliasMove> AliasHistory { get; set; } = [];

    /// <summary>The ModelRegistry custom resources (<c>namespace/name</c>) that declared this model: deleting the last one removes it.</summary>
    public List<string> DeclaredBy { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public static string IdOf(string tenantId, string name) => $"{tenantId}/{name}";

    public ModelVersion? Find(string version) => Versions.Find(v => v.Version == version);

    /// <summary>A version, or the version an alias points at.</summary>
    public ModelVersion? Resolve(string versionOrAlias) =>
        Find(versionOrAlias) ?? (Aliases.TryGetValue(versionOrAlias, out var target) ? Find(target) : null);

    public ModelVersionSpec ToSpec(ModelVersion version) => new()
    {
        Name = Name,
        Version = version.Version,
        Framework = version.Framework,
        Source = version.Source,
        Metadata = version.Metadata.Count == 0 ? null : new Dictionary<string, string>(version.Metadata),
        Performance = version.Performance,
    };
}
