using GoCoffee.Contracts.Ai;

namespace GoCoffee.Contracts.Cluster;

// The ai.gocoffee.dev custom resources applied with kubectl (or Argo CD) in a tenant's namespace. The cluster-agent
// hands each new generation to the ai-workload service, which takes it as the API takes the same document, and the
// service's view comes back for the agent to write to the object's status. The tenant is the one the namespace
// belongs to (the platform's labels on the Namespace), never a field of the document.

/// <summary>An AIWorkload custom resource was created or its spec changed, in a namespace the platform provisioned for <paramref name="TenantId"/>.</summary>
public sealed record AiWorkloadResourceApplied(string TenantId, AiWorkloadResource Resource, DateTimeOffset At);

/// <summary>An AIWorkload custom resource was deleted from the cluster: the ai-workload service deletes its workload (objects, reservation).</summary>
public sealed record AiWorkloadResourceDeleted(string TenantId, string Namespace, string Name, DateTimeOffset At);

/// <summary>The ai-workload service's view of a workload that came from a custom resource: written to the object's status.</summary>
public sealed record AiWorkloadStatusChanged(string TenantId, string Namespace, string Name, AiWorkloadStatus Status, DateTimeOffset At);

/// <summary>A ModelRegistry custom resource was created or its spec changed, in a namespace the platform provisioned for <paramref name="TenantId"/>: its versions are registered and its aliases pointed, as <c>POST /api/ai/registry</c> does.</summary>
public sealed record ModelRegistryResourceApplied(string TenantId, ModelRegistryResource Resource, DateTimeOffset At);

/// <summary>The ai-workload service's answer to a ModelRegistry custom resource: written to the object's status.</summary>
public sealed record ModelRegistryStatusChanged(string TenantId, string Namespace, string Name, ModelRegistryStatus Status, DateTimeOffset At);
