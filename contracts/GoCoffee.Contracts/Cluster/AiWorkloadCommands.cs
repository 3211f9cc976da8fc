using GoCoffee.Contracts.Ai;

namespace GoCoffee.Contracts.Cluster;

// The ai-workload service's commands to the cluster-agent, and its answers. Every answer carries the command's
// CorrelationId (the workload's deployment saga).

/// <summary>
/// Apply the workload's objects (server-side apply): Deployment, Service, PodDisruptionBudget, NetworkPolicy, and a
/// HorizontalPodAutoscaler for a CPU-scaled one; then watch the Deployment and report its replicas.
/// </summary>
public sealed record ApplyAiWorkload(Guid CorrelationId, AiWorkloadPlan Plan);

public sealed record AiWorkloadApplied(Guid CorrelationId, string TenantId, string Namespace, string Name, long Generation, IReadOnlyList<ClusterObjectRef> Objects);

/// <summary>
/// What the Deployment's status says now (sent when it changes): <paramref name="ModelVersion"/> is the version of
/// the Deployment's current template; <paramref name="ProgressDeadlineExceeded"/> when its rollout failed.
/// </summary>
public sealed record AiWorkloadReplicasObserved(
    Guid CorrelationId,
    string TenantId,
    string Namespace,
    string Name,
    int Replicas,
    int ReadyReplicas,
    int UpdatedReplicas,
    string? ModelVersion,
    bool ProgressDeadlineExceeded,
    string? Message,
    DateTimeOffset At);

/// <summary>A cluster step failed for good; what it had created was removed first (<paramref name="RemovedObjects"/>).</summary>
public sealed record AiWorkloadClusterStepFailed(
    Guid CorrelationId,
    string TenantId,
    string Namespace,
    string Name,
    string Step,
    ClusterObjectRef FailedObject,
    int StatusCode,
    string Message,
    IReadOnlyList<ClusterObjectRef> RemovedObjects);

/// <summary>Remove the workload's objects (only those the platform created for the tenant) and stop watching it.</summary>
public sealed record DeleteAiWorkloadObjects(Guid CorrelationId, string TenantId, string Namespace, string Name);

public sealed record AiWorkloadObjectsDeleted(Guid CorrelationId, string TenantId, string Namespace, string Name, IReadOnlyList<ClusterObjectRef> Deleted);

/// <summary>Set the Deployment's replicas (the GPU autoscaler, a suspension).</summary>
public sealed record ScaleAiWorkload(Guid CorrelationId, string TenantId, string Namespace, string Name, int Replicas);
