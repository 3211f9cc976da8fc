namespace GoCoffee.Contracts.Ai;

/// <summary>
/// Everything the cluster-agent needs to run one AI workload, decided by the ai-workload service: the model version
/// resolved from the registry, the serving runtime for its framework, the GPUs per replica and the replicas to run.
/// <see cref="CpuTarget"/> is set for CPU-scaled workloads (the agent adds a HorizontalPodAutoscaler); GPU-scaled ones
/// are scaled by the ai-workload service itself.
/// </summary>
public sealed record AiWorkloadPlan(
    string TenantId,
    string Namespace,
    string Name,
    long Generation,
    string WorkloadType,
    string Model,
    string ModelVersion,
    string Framework,
    string ModelSource,
    string RuntimeImage,
    int RuntimePort,
    IReadOnlyList<string> RuntimeArgs,
    string StorageInitializerImage,
    string? GpuType,
    int GpusPerReplica,
    string? Cpu,
    string? Memory,
    int Replicas,
    int MinReplicas,
    int MaxReplicas,
    int? CpuTarget,
    string? ServiceAccount);

// The ai-workload service to itself (through its outbox): what starts or steers a workload's deployment saga.
// CorrelationId: AiWorkloadCorrelation.For(workloadId).

public sealed record AiWorkloadDeploymentRequested(Guid CorrelationId, string WorkloadId, AiWorkloadPlan Plan, DateTimeOffset At);

public sealed record AiWorkloadDeletionRequested(Guid CorrelationId, string WorkloadId, DateTimeOffset At);

/// <summary>Sent to the saga itself, durably, when a step did not answer in time.</summary>
public sealed record AiWorkloadStepTimedOut(Guid CorrelationId, string WorkloadId, string Step, Guid Token);

public static class AiWorkloadCorrelation
{
    private static readonly Guid Namespace = new("0f1c7a52-8e43-4b7d-a0f6-3d2b9c5e8a14");

    /// <summary>The deployment saga's id for a workload (<c>tenant/namespace/name</c>): stable, so every message about it finds the same saga.</summary>
    public static Guid For(string workloadId)
    {
        var name = System.Text.Encoding.UTF8.GetBytes(workloadId);
        var ns = Namespace.ToByteArray(bigEndian: true);
        var hash = System.Security.Cryptography.SHA256.HashData([.. ns, .. name]);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}

/// <summary>The ai-workload service's own durable check, while a tenant's workloads are being removed: are they all gone?</summary>
public sealed record TenantAiRemovalCheck(Guid CorrelationId, string TenantId, Guid Token);

/// <summary>The answer to <see cref="Tenants.RemoveTenantAiWorkloads"/>: the tenant has no AI workload left (<paramref name="Removed"/> were deleted for this request).</summary>
public sealed record TenantAiWorkloadsRemoved(Guid CorrelationId, string TenantId, int Removed, DateTimeOffset At);
