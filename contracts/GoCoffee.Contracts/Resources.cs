using System.Text.Json.Serialization;

namespace GoCoffee.Contracts;

/// <summary>What every reader of a client's resource document (API body, custom object) enforces while it parses.</summary>
public static class ResourceDocumentLimits
{
    /// <summary>
    /// Deepest nesting of objects and arrays a resource document may have (the tenant's deepest field is 6 levels down).
    /// Checked while the text is read, before any tree is built: a deeper document is refused, never recursed into.
    /// </summary>
    public const int MaxDepth = 32;
}

/// <summary>The metadata every platform resource has, as in Kubernetes.</summary>
public sealed class ResourceMetadata
{
    public string? Name { get; set; }

    public string? Namespace { get; set; }

    public Dictionary<string, string>? Labels { get; set; }

    public Dictionary<string, string>? Annotations { get; set; }

    public long? Generation { get; set; }

    public string? ResourceVersion { get; set; }

    public string? Uid { get; set; }

    public DateTimeOffset? CreationTimestamp { get; set; }

    /// <summary>Written by the Kubernetes API server; accepted and ignored elsewhere.</summary>
    [JsonPropertyName("managedFields")]
    public System.Text.Json.JsonElement? ManagedFields { get; set; }
}

/// <summary>A Kubernetes-style condition: <c>Ready</c>, <c>Synced</c>, and on failure one naming the child object.</summary>
public sealed record ResourceCondition(
    string Type,
    string Status,
    string Reason,
    string Message,
    DateTimeOffset LastTransitionTime,
    long? ObservedGeneration = null);

/// <summary>A Kubernetes object the platform created or will remove, named the way <c>kubectl</c> names it.</summary>
public sealed record ClusterObjectRef(string ApiVersion, string Kind, string? Namespace, string Name)
{
    /// <summary>For people and conditions: <c>ResourceQuota ent-customer-1-1/quota</c>.</summary>
    public override string ToString() => Namespace is null ? $"{Kind} {Name}" : $"{Kind} {Namespace}/{Name}";
}
