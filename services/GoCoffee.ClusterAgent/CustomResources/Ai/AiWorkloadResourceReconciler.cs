using System.Text.Json.Nodes;
using GoCoffee.Contracts.Ai;
using GoCoffee.Contracts.Cluster;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;

namespace GoCoffee.ClusterAgent.CustomResources.Ai;

/// <summary>
/// <c>ai.gocoffee.dev/v1 AIWorkload</c>: each new generation, in a namespace the platform provisioned for a tenant,
/// goes to the ai-workload service as <see cref="AiWorkloadResourceApplied"/> for that tenant, which validates it as
/// its API does and runs the same deployment saga. Its view comes back as <see cref="AiWorkloadStatusChanged"/>
/// (<see cref="AiWorkloadStatusChangedConsumer"/>); a deleted object becomes <see cref="AiWorkloadResourceDeleted"/>.
/// </summary>
public sealed class AiWorkloadResourceReconciler(
    IDocumentSession session,
    IOutbox outbox,
    TenantNamespaceOwner owners,
    CustomObjectStatusWriter writer,
    TimeProvider clock,
    ILogger<AiWorkloadResourceReconciler> logger) : TenantNamespacedReconciler(session, owners, writer, clock, logger), ICustomResourceReconciler
{
    public static WatchedResource Resource { get; } = new(AiWorkloadResource.Group, AiWorkloadResource.Version, AiWorkloadResource.ResourceKind, AiWorkloadResource.Plural);

    protected override WatchedResource Kind => Resource;

    protected override void HandOn(string tenantId, JsonObject resource) =>
        outbox.Publish(new AiWorkloadResourceApplied(tenantId, CustomObjectJson.Read<AiWorkloadResource>(resource, ["spec", "resources"]), Clock.GetUtcNow()), tenantId);

    protected override void HandOnDeletion(BridgedObjectTenant bridged)
    {
        outbox.Publish(new AiWorkloadResourceDeleted(bridged.TenantId, bridged.Namespace, bridged.Name, Clock.GetUtcNow()), bridged.TenantId);
        logger.LogInformation("AIWorkload {Namespace}/{Name} was deleted from the cluster; asked the ai-workload service to delete it for tenant {TenantId}", bridged.Namespace, bridged.Name, bridged.TenantId);
    }
}
