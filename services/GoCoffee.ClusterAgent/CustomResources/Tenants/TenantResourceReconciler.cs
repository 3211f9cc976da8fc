using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Cluster;
using GoCoffee.Contracts.Tenants;
using GoCoffee.ServiceDefaults.Messaging;

namespace GoCoffee.ClusterAgent.CustomResources.Tenants;

/// <summary>
/// <c>tenant.gocoffee.dev/v1 Tenant</c>: each new generation goes to the tenant service as
/// <see cref="TenantResourceApplied"/>, which validates it as the API does and runs the same saga. Its answers come
/// back as <see cref="TenantStatusChanged"/> (<see cref="TenantStatusChangedConsumer"/>).
/// </summary>
public sealed class TenantResourceReconciler(
    IOutbox outbox,
    TenantStatusWriter statusWriter,
    TimeProvider clock,
    ILogger<TenantResourceReconciler> logger) : ICustomResourceReconciler
{
    public static WatchedResource Resource { get; } = new(TenantResource.Group, TenantResource.Version, TenantResource.ResourceKind, TenantResource.Plural);

    public async Task ReconcileAsync(JsonObject resource, CancellationToken cancellationToken)
    {
        var name = resource.Name();
        TenantResource tenant;
        try
        {
            tenant = TenantResourceJson.Read(resource);
        }
        catch (JsonException ex)
        {
            // Only where the CRD's schema is not installed can such an object exist; the tenant service could not read it either.
            var field = TenantResourceJson.FieldOf(ex);
            logger.LogWarning("Tenant {Name} cannot be read at {Field}: {Error}", name, field, ex.Message);
            var unreadable = new TenantStatus
            {
                Phase = "Failed",
                Conditions = [new ResourceCondition("Synced", "False", "Invalid", field == "$" ? ex.Message : $"{field}: has the wrong type for this field", clock.GetUtcNow())],
            };
            await statusWriter.WriteAsync(resource, TenantResourceJson.Status(unreadable, resource.Generation()), cancellationToken);
            return;
        }

        outbox.Publish(new TenantResourceApplied(tenant, clock.GetUtcNow()), tenant.Spec?.TenantId);
        logger.LogInformation("Tenant {Name} generation {Generation} handed to the tenant service", name, resource.Generation());
    }

    public Task DeletedAsync(string? @namespace, string name, JsonObject? lastKnown, CancellationToken cancellationToken)
    {
        var tenantId = lastKnown?["spec"]?["tenantId"] is JsonValue value && value.TryGetValue<string>(out var id) ? id : null;
        if (tenantId is null)
        {
            // Deleted while the agent was away: the tenant service keeps the tenant rather than guess which one it was.
            logger.LogWarning("Tenant {Name} was deleted from the cluster while unwatched; delete its tenant through the API", name);
            return Task.CompletedTask;
        }

        outbox.Publish(new TenantResourceDeleted(name, tenantId, clock.GetUtcNow()), tenantId);
        logger.LogInformation("Tenant {Name} was deleted from the cluster; asked the tenant service to delete tenant {TenantId}", name, tenantId);
        return Task.CompletedTask;
    }
}
