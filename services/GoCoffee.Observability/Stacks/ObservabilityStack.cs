using GoCoffee.Contracts;
using GoCoffee.Contracts.Observability;

namespace GoCoffee.Observability.Stacks;

public static class StackPhase
{
    public const string Pending = "Pending";
    public const string Installing = "Installing";
    public const string Ready = "Ready";
    public const string Updating = "Updating";
    public const string Failed = "Failed";
    public const string Terminating = "Terminating";
}

/// <summary>
/// One observability stack (id <c>tenant/namespace/name</c>): its spec as accepted and its status as the stack saga
/// (and the metrics reader) write it. Stored with optimistic concurrency.
/// </summary>
public sealed class ObservabilityStack
{
    public const string ApiSource = "api";
    public const string ClusterSource = "cluster";

    public string Id { get; set; } = string.Empty;

    public string TenantId { get; set; } = string.Empty;

    public string Namespace { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    /// <summary>Where the stack is managed: through the API, or as an ObservabilityStack custom resource (kubectl).</summary>
    public string Source { get; set; } = ApiSource;

    public ObservabilityStackSpec Spec { get; set; } = new();

    public long Generation { get; set; }

    public ObservabilityStackStatus Status { get; set; } = new();

    public List<ClusterObjectRef> Objects { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public static string IdOf(string tenantId, string ns, string name) => $"{tenantId}/{ns}/{name}";

    public void SetCondition(string type, string status, string reason, string message, DateTimeOffset at)
    {
        var conditions = Status.Conditions;
        var existing = conditions.FindIndex(c => c.Type == type);
        var transition = existing >= 0 && conditions[existing].Status == status ? conditions[existing].LastTransitionTime : at;
        var condition = new ResourceCondition(type, status, reason, message, transition, Generation);
        if (existing >= 0)
        {
            conditions[existing] = condition;
        }
        else
        {
            conditions.Add(condition);
        }
    }

    public ObservabilityStackResource ToResource() => new()
    {
        ApiVersion = $"{ObservabilityStackResource.Group}/{ObservabilityStackResource.Version}",
        Kind = ObservabilityStackResource.ResourceKind,
        Metadata = new ResourceMetadata { Name = Name, Namespace = Namespace, Generation = Generation, CreationTimestamp = CreatedAt },
        Spec = Spec,
        Status = Status,
    };
}
