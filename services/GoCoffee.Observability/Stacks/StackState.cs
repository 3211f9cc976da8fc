using GoCoffee.Contracts.Observability;
using MassTransit;

namespace GoCoffee.Observability.Stacks;

/// <summary>Where a stack's saga is; persisted in PostgreSQL with optimistic concurrency.</summary>
public sealed class StackState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }

    public string CurrentState { get; set; } = string.Empty;

    public string StackId { get; set; } = string.Empty;

    public string TenantId { get; set; } = string.Empty;

    /// <summary>What is being (or was last) applied.</summary>
    public ObservabilityStackPlan? Plan { get; set; }

    public Guid? StepTimeoutToken { get; set; }
}
