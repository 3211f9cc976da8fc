namespace GoCoffee.Contracts.Cluster;

/// <summary>
/// A ModelRegistry custom resource was deleted from the cluster, in a namespace the platform provisioned for
/// <paramref name="TenantId"/>: the ai-workload service removes the models that object declared (those no workload
/// uses and no other registry object declares).
/// </summary>
public sealed record ModelRegistryResourceDeleted(string TenantId, string Namespace, string Name, DateTimeOffset At);
