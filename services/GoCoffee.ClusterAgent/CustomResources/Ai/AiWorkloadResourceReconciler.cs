using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.CustomResources.Tenants;
using GoCoffee.Contracts.Ai;
using GoCoffee.Contracts.Cluster;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;

namespace GoCoffee.ClusterAgent.CustomResources.Ai;

/// <summary>
/// <c>ai.gocoffee.dev/v1 AIWorkload</c>: each new generation, in a namespace the platform provisioned for a tenant,
/// goes to the ai-workload service as <see cref="AiWorkloadResourceApplied"/> for that tenant (the namespace's, never a
/// field of the document), which validates it as its API does and runs the same deployment saga. Its view comes back as
/// <see cref="AiWorkloadStatusChanged"/> (<see cref="AiWorkloadStatusChangedConsumer"/>). One in any other namespace is
/// refused here: a Warning Event and a Failed status say why, and nothing is handed on.
/// </summary>
public sealed class AiWorkloadResourceReconciler(
    IDocumentSession session,
    IOutbox outbox,
    TenantNamespaceOwner owners,
    CustomObjectStatusWriter writer,
    TimeProvider clock,
    ILogger<AiWorkloadResourceReconciler> logger) : ICustomResourceReconciler
{
    public const string NotTenantNamespace = "NamespaceNotTenant";

    public static WatchedResource Resource { get; } = new(AiWorkloadResource.Group, AiWorkloadResource.Version, AiWorkloadResource.ResourceKind, AiWorkloadResource.Plural);

    public async Task ReconcileAsync(JsonObject resource, CancellationToken cancellationToken)
    {
        var name = resource.Name();
        var ns = resource.Namespace();
        var (tenantId, refusal) = await owners.TenantOfAsync(ns, cancellationToken);
        if (tenantId is null)
        {
            var message = $"Not deployed: {refusal}. Apply AIWorkloads in one of your tenant's namespaces.";
            logger.LogWarning("AIWorkload {Namespace}/{Name} refused: {Reason}", ns, name, refusal);
            await writer.WarnAsync(Resource, resource, NotTenantNamespace, message, cancellationToken);
            await writer.WriteAsync(Resource, resource, CustomObjectJson.Refused(NotTenantNamespace, message, resource.Generation(), clock.GetUtcNow()), cancellationToken);
            return;
        }

        AiWorkloadResource workload;
        try
        {
            workload = CustomObjectJson.Read<AiWorkloadResource>(resource, ["spec", "resources"]);
        }
        catch (JsonException ex)
        {
            // Only where the CRD's schema is not installed can such an object exist.
            var field = TenantResourceJson.FieldOf(ex);
            logger.LogWarning("AIWorkload {Namespace}/{Name} cannot be read at {Field}: {Error}", ns, name, field, ex.Message);
            var text = field == "$" ? ex.Message : $"{field}: has the wrong type for this field";
            await writer.WriteAsync(Resource, resource, CustomObjectJson.Refused("Invalid", text, resource.Generation(), clock.GetUtcNow()), cancellationToken);
            return;
        }

        session.Store(new BridgedObjectTenant { Id = Resource.ObjectKey(resource), TenantId = tenantId, Namespace = ns!, Name = name });
        outbox.Publish(new AiWorkloadResourceApplied(tenantId, workload, clock.GetUtcNow()), tenantId);
        logger.LogInformation("AIWorkload {Namespace}/{Name} generation {Generation} handed to the ai-workload service for tenant {TenantId}", ns, name, resource.Generation(), tenantId);
    }

    public async Task DeletedAsync(string? @namespace, string name, JsonObject? lastKnown, CancellationToken cancellationToken)
    {
        var key = Resource.ObjectKey(@namespace, name);
        var bridged = await session.LoadAsync<BridgedObjectTenant>(key, cancellationToken);
        if (bridged is null)
        {
            logger.LogInformation("AIWorkload {Namespace}/{Name} was deleted; it was never handed on, so nothing is deleted", @namespace, name);
            return;
        }

        session.Delete(bridged);
        outbox.Publish(new AiWorkloadResourceDeleted(bridged.TenantId, bridged.Namespace, bridged.Name, clock.GetUtcNow()), bridged.TenantId);
        logger.LogInformation("AIWorkload {Namespace}/{Name} was deleted from the cluster; asked the ai-workload service to delete it for tenant {TenantId}", @namespace, name, bridged.TenantId);
    }
}
