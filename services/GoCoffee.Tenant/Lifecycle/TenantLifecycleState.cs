using GoCoffee.Contracts;
using GoCoffee.Contracts.Tenants;
using MassTransit;

namespace GoCoffee.Tenant.Lifecycle;

/// <summary>Where a tenant's lifecycle saga is; persisted in PostgreSQL with optimistic concurrency.</summary>
public sealed class TenantLifecycleState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }

    public string CurrentState { get; set; } = string.Empty;

    public string TenantId { get; set; } = string.Empty;

    public Guid? StepTimeoutToken { get; set; }

    public Guid? GraceToken { get; set; }

    public TimeSpan GracePeriod { get; set; }

    public List<ClusterObjectRef> DeletionObjects { get; set; } = [];

    public string Tier { get; set; } = string.Empty;

    public List<string> Namespaces { get; set; } = [];

    /// <summary>The tenant runs AI workloads: its deletion removes them (through the ai-workload service) before its namespaces.</summary>
    public bool RemovesAiWorkloads { get; set; }

    /// <summary>
    /// A deletion asked for while a change was being applied to an active tenant (its phase still says Active): it starts
    /// as soon as that round ends, Active or Failed.
    /// </summary>
    public TimeSpan? PendingDeletionGracePeriod { get; set; }

    /// <summary>A change asked for while another was being applied: the newest plan, applied once that round ends.</summary>
    public TenantPlan? PendingPlan { get; set; }

    /// <summary>What the pending changes were (for the audit trail).</summary>
    public string? PendingChange { get; set; }

    /// <summary>A suspension asked for while a change was being applied: it starts once the round ends Active.</summary>
    public string? PendingSuspensionReason { get; set; }

    /// <summary>Where a cancelled deletion returns to.</summary>
    public string StateBeforeDeletion { get; set; } = string.Empty;

    /// <summary>Why the tenant is (being) suspended: the gateway tells the tenant's callers.</summary>
    public string? SuspensionReason { get; set; }

    /// <summary>True once the tenant was active: later provisioning rounds are updates, not onboarding.</summary>
    public bool WasActivated { get; set; }

    /// <summary>The tenant stream's version after the event this saga recorded last: the version its published events carry.</summary>
    public long TenantVersion { get; set; }
}

public sealed class TenantLifecycleOptions
{
    /// <summary>How long a cluster step may take before the saga gives up on it (durably, across restarts).</summary>
    public TimeSpan StepTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Grace period of a deletion when the request names none.</summary>
    public TimeSpan DefaultDeletionGracePeriod { get; set; } = TimeSpan.FromMinutes(10);
}
