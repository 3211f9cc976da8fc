using GoCoffee.Contracts.Ai;
using GoCoffee.Contracts.Cluster;
using MassTransit;

namespace GoCoffee.AiWorkload.Deployment;

/// <summary>Where a workload's deployment saga is; persisted in PostgreSQL with optimistic concurrency.</summary>
public sealed class AiDeploymentState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }

    public string CurrentState { get; set; } = string.Empty;

    public string WorkloadId { get; set; } = string.Empty;

    public string TenantId { get; set; } = string.Empty;

    /// <summary>What is being (or was last) applied.</summary>
    public AiWorkloadPlan? Plan { get; set; }

    /// <summary>The plan serving before the one being applied (for a rollout: the version still serving).</summary>
    public AiWorkloadPlan? ServingPlan { get; set; }

    /// <summary>The ledger reservation for the workload's base replicas (minimum × GPUs per replica); null when none is held.</summary>
    public string? ReservationId { get; set; }

    public int ReservedGpus { get; set; }

    public Guid? StepTimeoutToken { get; set; }

    /// <summary>The Deployment's last reported state since the current apply started (it may arrive before the apply's answer).</summary>
    public AiWorkloadReplicasObserved? LastObserved { get; set; }

    public int Attempt { get; set; }
}
