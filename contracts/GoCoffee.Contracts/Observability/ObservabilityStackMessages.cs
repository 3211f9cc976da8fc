using GoCoffee.Contracts.Cluster;

namespace GoCoffee.Contracts.Observability;

/// <summary>A Prometheus rule group of the platform's alert pack (infra/monitoring/rules), as the observability service loaded it.</summary>
public sealed record PlatformRuleGroup(string Name, string? Interval, IReadOnlyList<StackRule> Rules);

/// <summary>A Grafana dashboard of the platform (infra/monitoring/dashboards): its file name and JSON.</summary>
public sealed record PlatformDashboard(string Name, string Json);

/// <summary>
/// Everything the cluster-agent needs to install one stack, decided by the observability service: the accepted spec,
/// the platform's alert pack and dashboards, and the component versions it runs.
/// </summary>
public sealed record ObservabilityStackPlan(
    string TenantId,
    string Namespace,
    string Name,
    long Generation,
    ObservabilityStackSpec Spec,
    IReadOnlyList<PlatformRuleGroup> PlatformRules,
    IReadOnlyList<PlatformDashboard> PlatformDashboards,
    IReadOnlyDictionary<string, string> Versions);

// The observability service to itself (through its outbox): what starts or steers a stack's saga.
// CorrelationId: ObservabilityStackCorrelation.For(stackId).

public sealed record ObservabilityStackRequested(Guid CorrelationId, string StackId, ObservabilityStackPlan Plan, DateTimeOffset At);

public sealed record ObservabilityStackDeletionRequested(Guid CorrelationId, string StackId, DateTimeOffset At);

/// <summary>Sent to the saga itself, durably, when a step did not answer in time.</summary>
public sealed record ObservabilityStackStepTimedOut(Guid CorrelationId, string StackId, string Step, Guid Token);

// The observability service's commands to the cluster-agent, and its answers (each with the command's CorrelationId).

/// <summary>
/// Apply the stack's objects (server-side apply): Prometheus, ServiceMonitors, PrometheusRules, Alertmanager with its
/// AlertmanagerConfig, Grafana dashboard and datasource ConfigMaps, the OpenTelemetry collector's configuration; then
/// remove the stack's objects that the plan no longer makes.
/// </summary>
public sealed record ApplyObservabilityStack(Guid CorrelationId, ObservabilityStackPlan Plan);

/// <summary>One component as applied: what now serves it and where.</summary>
public sealed record StackComponentApplied(string Component, string Endpoint, string Version);

public sealed record ObservabilityStackApplied(
    Guid CorrelationId,
    string TenantId,
    string Namespace,
    string Name,
    long Generation,
    IReadOnlyList<ClusterObjectRef> Objects,
    IReadOnlyList<StackComponentApplied> Components,
    IReadOnlyList<ClusterObjectRef> Pruned);

/// <summary>A cluster step failed for good; what it had created was removed first (<paramref name="RemovedObjects"/>).</summary>
public sealed record ObservabilityStackStepFailed(
    Guid CorrelationId,
    string TenantId,
    string Namespace,
    string Name,
    string Step,
    ClusterObjectRef FailedObject,
    int StatusCode,
    string Message,
    IReadOnlyList<ClusterObjectRef> RemovedObjects);

/// <summary>Remove every object the platform made for the stack (only those labelled for the tenant and the stack).</summary>
public sealed record DeleteObservabilityStackObjects(Guid CorrelationId, string TenantId, string Namespace, string Name);

public sealed record ObservabilityStackObjectsDeleted(Guid CorrelationId, string TenantId, string Namespace, string Name, IReadOnlyList<ClusterObjectRef> Deleted);

public static class ObservabilityStackCorrelation
{
    private static readonly Guid Namespace = new("5b2e8f31-7c4d-4a9e-b1f0-6d3c2a8e9b47");

    /// <summary>The stack saga's id for a stack (<c>tenant/namespace/name</c>): stable, so every message about it finds the same saga.</summary>
    public static Guid For(string stackId)
    {
        var name = System.Text.Encoding.UTF8.GetBytes(stackId);
        var ns = Namespace.ToByteArray(bigEndian: true);
        var hash = System.Security.Cryptography.SHA256.HashData([.. ns, .. name]);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
