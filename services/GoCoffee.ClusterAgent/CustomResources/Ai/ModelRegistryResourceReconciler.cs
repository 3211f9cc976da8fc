using System.Text.Json.Nodes;
using GoCoffee.Contracts.Ai;
using GoCoffee.Contracts.Cluster;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;

namespace GoCoffee.ClusterAgent.CustomResources.Ai;

/// <summary>
/// <c>ai.gocoffee.dev/v1 ModelRegistry</c>: each new generation, in a namespace the platform provisioned for a tenant,
/// goes to the ai-workload service as <see cref="ModelRegistryResourceApplied"/> for that tenant, which registers its
/// versions and points its aliases as <c>POST /api/ai/registry</c> does. Deleting the object hands that on too
/// (<see cref="ModelRegistryResourceDeleted"/>): the service removes the models the object declared that no workload uses.
/// </summary>
public sealed class ModelRegistryResourceReconciler(
    IDocumentSession session,
    IOutbox outbox,
    TenantNamespaceOwner owners,
    CustomObjectStatusWriter writer,
    TimeProvider clock,
    ILogger<ModelRegistryResourceReconciler> logger) : TenantNamespacedReconciler(session, owners, writer, clock, logger), ICustomResourceReconciler
{
    public const string Plural = "modelregistries";

    public static WatchedResource Resource { get; } = new(ModelRegistryResource.Group, ModelRegistryResource.Version, ModelRegistryResource.ResourceKind, Plural);

    protected override WatchedResource Kind => Resource;

    protected override void HandOn(string tenantId, JsonObject resource) =>
        outbox.Publish(new ModelRegistryResourceApplied(tenantId, CustomObjectJson.Read<ModelRegistryResource>(resource), Clock.GetUtcNow()), tenantId);

    protected override void HandOnDeletion(BridgedObjectTenant bridged)
    {
        outbox.Publish(new ModelRegistryResourceDeleted(bridged.TenantId, bridged.Namespace, bridged.Name, Clock.GetUtcNow()), bridged.TenantId);
        logger.LogInformation("ModelRegistry {Namespace}/{Name} was deleted from the cluster; asked the ai-workload service to remove its models for tenant {TenantId}", bridged.Namespace, bridged.Name, bridged.TenantId);
    }
}
