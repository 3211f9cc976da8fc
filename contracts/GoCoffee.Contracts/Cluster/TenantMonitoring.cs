namespace GoCoffee.Contracts.Cluster;

/// <summary>
/// The tenant's monitoring step: in its first namespace, an alert route (an <c>AlertmanagerConfig</c> matching only
/// <c>tenant="&lt;id&gt;"</c>) and a Grafana dashboards folder for the tenant. Answered with
/// <see cref="TenantMonitoringProvisioned"/>, or <see cref="TenantClusterStepFailed"/> (step <c>monitoring</c>).
/// </summary>
public sealed record ProvisionTenantMonitoring(Guid CorrelationId, string TenantId, IReadOnlyList<string> Namespaces);

public sealed record TenantMonitoringProvisioned(Guid CorrelationId, string TenantId, IReadOnlyList<ClusterObjectRef> Objects);
