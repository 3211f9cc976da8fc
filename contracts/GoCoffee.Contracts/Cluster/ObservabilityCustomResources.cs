using GoCoffee.Contracts.Observability;

namespace GoCoffee.Contracts.Cluster;

// The observability.gocoffee.dev ObservabilityStack custom resource applied with kubectl (or Argo CD) in a tenant's
// namespace. The cluster-agent hands each new generation to the observability service, which takes it as the API
// takes the same document; the service's view comes back for the agent to write to the object's status. The tenant
// is the one the namespace belongs to, never a field of the document.

/// <summary>An ObservabilityStack custom resource was created or its spec changed, in a namespace the platform provisioned for <paramref name="TenantId"/>.</summary>
public sealed record ObservabilityStackResourceApplied(string TenantId, ObservabilityStackResource Resource, DateTimeOffset At);

/// <summary>An ObservabilityStack custom resource was deleted from the cluster: the observability service deletes its stack (its objects).</summary>
public sealed record ObservabilityStackResourceDeleted(string TenantId, string Namespace, string Name, DateTimeOffset At);

/// <summary>The observability service's view of a stack that came from a custom resource: written to the object's status.</summary>
public sealed record ObservabilityStackStatusChanged(string TenantId, string Namespace, string Name, ObservabilityStackStatus Status, DateTimeOffset At);
