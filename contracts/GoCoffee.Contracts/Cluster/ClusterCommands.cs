using GoCoffee.Contracts.Tenants;

namespace GoCoffee.Contracts.Cluster;

// Commands to the cluster-agent, the only component that talks to Kubernetes, and what it answers.
// Every answer carries the CorrelationId of the command, so the saga that asked finds it.

/// <summary>Make the tenant's namespaces and their objects match the plan (server-side apply; namespaces of the tenant that the plan no longer lists are removed).</summary>
public sealed record ProvisionTenantNamespaces(Guid CorrelationId, TenantPlan Plan);

public sealed record TenantNamespacesProvisioned(Guid CorrelationId, string TenantId, IReadOnlyList<string> Namespaces, IReadOnlyList<ClusterObjectRef> Objects);

/// <summary>
/// A cluster step failed for good (after retries for transient errors). Whatever the step had created was removed,
/// in reverse order, before this was published: <see cref="RemovedObjects"/>.
/// </summary>
public sealed record TenantClusterStepFailed(
    Guid CorrelationId,
    string TenantId,
    string Step,
    ClusterObjectRef FailedObject,
    int StatusCode,
    string Message,
    IReadOnlyList<ClusterObjectRef> RemovedObjects);

/// <summary>Scale every workload in the tenant's namespaces to zero (remembering the replicas), or back.</summary>
public sealed record ScaleTenantWorkloads(Guid CorrelationId, string TenantId, IReadOnlyList<string> Namespaces, bool Suspend);

public sealed record TenantWorkloadsScaled(Guid CorrelationId, string TenantId, bool Suspended, IReadOnlyList<ClusterObjectRef> Workloads);

/// <summary>Dry run: list every object that deleting the tenant would remove (only what the platform created).</summary>
public sealed record PlanTenantDeletion(Guid CorrelationId, string TenantId);

public sealed record TenantDeletionPlanned(Guid CorrelationId, string TenantId, IReadOnlyList<ClusterObjectRef> Objects);

/// <summary>Remove exactly these objects, each only if it is still managed by the platform for this tenant.</summary>
public sealed record DeleteTenantObjects(Guid CorrelationId, string TenantId, IReadOnlyList<ClusterObjectRef> Objects);

public sealed record TenantObjectsDeleted(Guid CorrelationId, string TenantId, IReadOnlyList<ClusterObjectRef> Deleted, IReadOnlyList<ClusterObjectRef> Skipped);

/// <summary>A Tenant custom resource was created or changed in the cluster (kubectl, Argo CD): the same saga as the API takes it.</summary>
public sealed record TenantResourceApplied(TenantResource Resource, DateTimeOffset At);

/// <summary>The tenant service's view of a tenant changed: the cluster-agent writes it to the custom resource's status.</summary>
public sealed record TenantStatusChanged(string TenantId, string ResourceName, TenantStatus Status, DateTimeOffset At);

/// <summary>A Tenant custom resource was deleted from the cluster: the tenant service deletes the tenant it created (plan, grace period, removal).</summary>
public sealed record TenantResourceDeleted(string ResourceName, string TenantId, DateTimeOffset At);
