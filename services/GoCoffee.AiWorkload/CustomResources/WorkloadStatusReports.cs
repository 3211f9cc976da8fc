using System.Text.Json;
using GoCoffee.Resources;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Ai;
using GoCoffee.Contracts.Cluster;
using GoCoffee.ServiceDefaults.Messaging;

namespace GoCoffee.AiWorkload.CustomResources;

/// <summary>
/// A workload that came from an AIWorkload custom resource has every new status published
/// (<see cref="AiWorkloadStatusChanged"/>, in the same transaction as the change), for the cluster-agent to write to the
/// object's status; one from the API has nothing published.
/// </summary>
internal static class WorkloadStatusReports
{
    public static void Report(this IOutbox outbox, Workloads.AiWorkload workload, DateTimeOffset now)
    {
        if (workload.Source != Workloads.AiWorkload.ClusterSource)
        {
            return;
        }

        outbox.Publish(new AiWorkloadStatusChanged(workload.TenantId, workload.Namespace, workload.Name, Copy(workload.Status), now), workload.TenantId);
    }

    /// <summary>A document the platform did not take: the workload's status (when one exists) with the refusal, or Failed.</summary>
    public static void ReportRefusal(this IOutbox outbox, string tenantId, string ns, string name, Workloads.AiWorkload? existing, string reason, string message, DateTimeOffset now)
    {
        var status = existing is { Source: Workloads.AiWorkload.ClusterSource } ? Copy(existing.Status) : new AiWorkloadStatus { Phase = Workloads.AiWorkloadPhase.Failed };
        status.Conditions.RemoveAll(c => c.Type == "Synced");
        status.Conditions.Add(new ResourceCondition("Synced", "False", reason, message, now));
        if (existing is not { Source: Workloads.AiWorkload.ClusterSource })
        {
            status.Conditions.RemoveAll(c => c.Type == "Ready");
            status.Conditions.Add(new ResourceCondition("Ready", "False", reason, "Nothing was reserved or created for this document.", now));
        }

        outbox.Publish(new AiWorkloadStatusChanged(tenantId, ns, name, status, now), tenantId);
    }

    private static AiWorkloadStatus Copy(AiWorkloadStatus status) =>
        JsonSerializer.Deserialize<AiWorkloadStatus>(JsonSerializer.Serialize(status, ResourceDocument.Json), ResourceDocument.Json)!;
}
