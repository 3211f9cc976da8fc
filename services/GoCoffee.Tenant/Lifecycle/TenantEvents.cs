using GoCoffee.Contracts;
using GoCoffee.Contracts.Tenants;

namespace GoCoffee.Tenant.Lifecycle;

// The tenant's event stream: its audit trail (who and when come from Marten's event metadata) and the source of the
// Tenant view. Past-tense, positional; never changed once written.

public sealed record TenantCreated(string TenantId, TenantSpec Spec, string ResourceName, string Source, string? IdempotencyKey, string RequestHash, DateTimeOffset At);

public sealed record ProvisioningStarted(TenantPlan Plan, string Reason, DateTimeOffset At);

public sealed record NamespacesProvisioned(IReadOnlyList<string> Namespaces, int ObjectCount, DateTimeOffset At);

/// <summary>The tenant's monitoring step is done: its alert route and dashboards folder exist (<paramref name="Objects"/>).</summary>
public sealed record MonitoringConfigured(IReadOnlyList<ClusterObjectRef> Objects, DateTimeOffset At);

public sealed record SpecChanged(TenantSpec Spec, string Change, string FromTier, string ToTier, DateTimeOffset At);

public sealed record ClusterStepFailed(string Step, string FailedObject, int StatusCode, string Message, IReadOnlyList<string> RemovedObjects, DateTimeOffset At);

public sealed record SuspensionRequested(string Reason, DateTimeOffset At);

public sealed record WorkloadsSuspended(string Reason, int Workloads, DateTimeOffset At);

public sealed record ResumptionRequested(DateTimeOffset At);

public sealed record WorkloadsResumed(int Workloads, DateTimeOffset At);

public sealed record DeletionRequested(TimeSpan GracePeriod, DateTimeOffset At);

public sealed record DeletionPlanned(IReadOnlyList<ClusterObjectRef> Objects, DateTimeOffset DeleteAfter, DateTimeOffset At);

public sealed record DeletionCancelled(DateTimeOffset At);

public sealed record TenantRemoved(IReadOnlyList<ClusterObjectRef> Deleted, IReadOnlyList<ClusterObjectRef> Skipped, DateTimeOffset At);

public sealed record ApiKeyAdded(string KeyId, string Prefix, DateTimeOffset At);

public sealed record ApiKeyWithdrawn(string KeyId, DateTimeOffset At);
