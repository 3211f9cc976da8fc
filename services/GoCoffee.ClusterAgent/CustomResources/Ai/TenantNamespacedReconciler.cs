using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.CustomResources.Tenants;
using Marten;

namespace GoCoffee.ClusterAgent.CustomResources.Ai;

/// <summary>
/// A namespaced platform resource whose tenant is the one its namespace was provisioned for (<see cref="TenantNamespaceOwner"/>),
/// never a field of the document. In any other namespace it is refused here: a Warning Event and a Failed status say
/// why, and nothing is handed on. Otherwise the tenant is kept with the object (<see cref="BridgedObjectTenant"/>) and
/// the kind hands it on (<see cref="HandOn"/>).
/// </summary>
public abstract class TenantNamespacedReconciler(
    IDocumentSession session,
    TenantNamespaceOwner owners,
    CustomObjectStatusWriter writer,
    TimeProvider clock,
    ILogger logger)
{
    public const string NotTenantNamespace = "NamespaceNotTenant";

    protected abstract WatchedResource Kind { get; }

    protected TimeProvider Clock => clock;

    public async Task ReconcileAsync(JsonObject resource, CancellationToken cancellationToken)
    {
        var name = resource.Name();
        var ns = resource.Namespace();
        var (tenantId, refusal) = await owners.TenantOfAsync(ns, cancellationToken);
        if (tenantId is null)
        {
            var message = $"Not taken: {refusal}. Apply {Kind.Kind} objects in one of your tenant's namespaces.";
            logger.LogWarning("{Kind} {Namespace}/{Name} refused: {Reason}", Kind.Kind, ns, name, refusal);
            await writer.WarnAsync(Kind, resource, NotTenantNamespace, message, cancellationToken);
            await writer.WriteAsync(Kind, resource, CustomObjectJson.Refused(NotTenantNamespace, message, resource.Generation(), clock.GetUtcNow()), cancellationToken);
            return;
        }

        try
        {
            HandOn(tenantId, resource);
        }
        catch (JsonException ex)
        {
            // Only where the CRD's schema is not installed can such an object exist.
            var field = TenantResourceJson.FieldOf(ex);
            logger.LogWarning("{Kind} {Namespace}/{Name} cannot be read at {Field}: {Error}", Kind.Kind, ns, name, field, ex.Message);
            var text = field == "$" ? ex.Message : $"{field}: has the wrong type for this field";
            await writer.WriteAsync(Kind, resource, CustomObjectJson.Refused("Invalid", text, resource.Generation(), clock.GetUtcNow()), cancellationToken);
            return;
        }

        session.Store(new BridgedObjectTenant { Id = Kind.ObjectKey(resource), TenantId = tenantId, Namespace = ns!, Name = name });
        logger.LogInformation("{Kind} {Namespace}/{Name} generation {Generation} handed on for tenant {TenantId}", Kind.Kind, ns, name, resource.Generation(), tenantId);
    }

    public async Task DeletedAsync(string? @namespace, string name, JsonObject? lastKnown, CancellationToken cancellationToken)
    {
        var bridged = await session.LoadAsync<BridgedObjectTenant>(Kind.ObjectKey(@namespace, name), cancellationToken);
        if (bridged is null)
        {
            logger.LogInformation("{Kind} {Namespace}/{Name} was deleted; it was never handed on", Kind.Kind, @namespace, name);
            return;
        }

        session.Delete(bridged);
        HandOnDeletion(bridged);
    }

    /// <summary>Publishes the object for <paramref name="tenantId"/> (through the outbox, committed with the watch's cursor).</summary>
    /// <exception cref="JsonException">The object cannot be read into the kind's model.</exception>
    protected abstract void HandOn(string tenantId, JsonObject resource);

    protected abstract void HandOnDeletion(BridgedObjectTenant bridged);
}

/// <summary>Writes a status the ai-workload service sent to the namespaced object it concerns, as the Tenant's status is written.</summary>
public static class TenantNamespacedStatus
{
    public static async Task WriteAsync<TStatus>(
        IDocumentSession session,
        CustomObjectStatusWriter writer,
        WatchedResource resource,
        string tenantId,
        string @namespace,
        string name,
        TStatus status,
        DateTimeOffset at,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var key = resource.ObjectKey(@namespace, name);
        var bridged = await session.LoadAsync<BridgedObjectTenant>(key, cancellationToken);
        if (bridged is null || bridged.TenantId != tenantId)
        {
            logger.LogInformation("{Kind} {Namespace}/{Name} was not handed on for tenant {TenantId}; its status is not written", resource.Kind, @namespace, name, tenantId);
            return;
        }

        var watermark = await session.LoadAsync<StatusWatermark>(key, cancellationToken);
        if (watermark is not null && at < watermark.At)
        {
            logger.LogInformation("Status of {Kind} {Namespace}/{Name} from {At} is older than the one written ({WrittenAt}); not written", resource.Kind, @namespace, name, at, watermark.At);
            return;
        }

        var current = await writer.GetAsync(resource, @namespace, name, cancellationToken);
        if (current is null)
        {
            logger.LogInformation("{Kind} {Namespace}/{Name} no longer exists in the cluster; its status is not written", resource.Kind, @namespace, name);
            return;
        }

        var forwarded = await session.LoadAsync<ForwardedResource>(key, cancellationToken);
        var generation = forwarded is not null && forwarded.Uid == current.Uid() ? forwarded.Generation : current.Generation();
        var outcome = await writer.WriteAsync(resource, current, CustomObjectJson.Status(status, generation), cancellationToken);
        session.Store(new StatusWatermark { Id = key, At = at });
        logger.LogDebug("Status of {Kind} {Namespace}/{Name}: {Outcome}", resource.Kind, @namespace, name, outcome);
    }
}
