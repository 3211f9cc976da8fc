using GoCoffee.Contracts;
using GoCoffee.Contracts.Ai;

namespace GoCoffee.AiWorkload.Workloads;

public static class AiWorkloadPhase
{
    public const string Pending = "Pending";
    public const string Initializing = "Initializing";
    public const string Running = "Running";
    public const string Scaling = "Scaling";
    public const string Failed = "Failed";
    public const string Completed = "Completed";
    public const string Terminating = "Terminating";
}

/// <summary>
/// One AI workload (id <c>tenant/namespace/name</c>): its spec as accepted and its status as the deployment saga
/// writes it (in the saga's own transaction). Stored with optimistic concurrency.
/// </summary>
public sealed class AiWorkload
{
    public const string ApiSource = "api";
    public const string ClusterSource = "cluster";

    public string Id { get; set; } = string.Empty;

    public string TenantId { get; set; } = string.Empty;

    public string Namespace { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public string Source { get; set; } = ApiSource;

    public AiWorkloadSpec Spec { get; set; } = new();

    public long Generation { get; set; }

    public AiWorkloadStatus Status { get; set; } = new();

    /// <summary>The registry version the current generation deploys (resolved from an alias when the spec names one).</summary>
    public string ResolvedVersion { get; set; } = string.Empty;

    /// <summary>The registered (measured) performance of <see cref="ResolvedVersion"/>: the status reports it once that version serves.</summary>
    public ModelPerformance? ResolvedPerformance { get; set; }

    public List<ClusterObjectRef> Objects { get; set; } = [];

    /// <summary>Why the tenant no longer allows this workload (it is held at zero replicas, its reservation kept), or null.</summary>
    public string? HeldBecause { get; set; }

    /// <summary>The replicas the GPU autoscaler set (null until it scaled): a re-apply keeps them.</summary>
    public int? ScaledReplicas { get; set; }

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

    public void RemoveCondition(string type) => Status.Conditions.RemoveAll(c => c.Type == type);

    /// <summary>
    /// <c>status.performance</c> once <see cref="ResolvedVersion"/> serves: its registered latency (as <c>12ms</c>) and
    /// throughput; the live GPU utilisation (last sample) is kept.
    /// </summary>
    public void ReportServingPerformance()
    {
        var registered = ResolvedPerformance;
        var live = Status.Performance?.ResourceUtilization;
        Status.Performance = registered is null && live is null ? null : new AiPerformance
        {
            AverageLatency = registered?.Latency is { } latency ? $"{latency.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}ms" : null,
            Throughput = registered?.Throughput,
            ResourceUtilization = live,
        };
    }

    /// <summary>The last GPU utilisation sample (percent, whole), in <c>status.performance.resourceUtilization.gpu</c>.</summary>
    /// <returns>Whether the status changed.</returns>
    public bool ReportGpuUtilisation(double percent)
    {
        var rounded = Math.Round(percent);
        if (Status.Performance?.ResourceUtilization?.Gpu == rounded)
        {
            return false;
        }

        Status.Performance ??= new AiPerformance();
        Status.Performance.ResourceUtilization ??= new AiUtilization();
        Status.Performance.ResourceUtilization.Gpu = rounded;
        return true;
    }

    public AiWorkloadResource ToResource() => new()
    {
        ApiVersion = $"{AiWorkloadResource.Group}/{AiWorkloadResource.Version}",
        Kind = AiWorkloadResource.ResourceKind,
        Metadata = new ResourceMetadata { Name = Name, Namespace = Namespace, Generation = Generation, CreationTimestamp = CreatedAt },
        Spec = Spec,
        Status = Status,
    };
}
