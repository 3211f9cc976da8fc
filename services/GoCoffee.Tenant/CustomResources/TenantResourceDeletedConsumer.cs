using GoCoffee.Contracts.Cluster;
using GoCoffee.Contracts.Tenants;
using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.Tenant.Lifecycle;
using Marten;
using MassTransit;
using Microsoft.Extensions.Options;

namespace GoCoffee.Tenant.CustomResources;

/// <summary>
/// Deleting a Tenant custom resource deletes the tenant it created, the same way <c>DELETE /api/tenants/{id}</c> does:
/// a plan, the default grace period, then removal. Tenants created through the API, or protected by
/// <c>preventDeletion</c>, are left alone.
/// </summary>
public sealed class TenantResourceDeletedConsumer(
    IDocumentSession session,
    IOutbox outbox,
    TimeProvider clock,
    IOptions<TenantLifecycleOptions> options,
    ILogger<TenantResourceDeletedConsumer> logger) : IConsumer<TenantResourceDeleted>
{
    public async Task Consume(ConsumeContext<TenantResourceDeleted> context)
    {
        var deleted = context.Message;
        var tenant = await session.LoadAsync<Lifecycle.Tenant>(deleted.TenantId, context.CancellationToken);
        if (tenant is null || tenant.Source != Lifecycle.Tenant.ClusterSource || tenant.ResourceName != deleted.ResourceName)
        {
            logger.LogInformation("Tenant resource {Name} deleted; tenant {TenantId} was not created by it and stays", deleted.ResourceName, deleted.TenantId);
            return;
        }

        if (tenant.Spec.PreventDeletion == true || tenant.Phase is not (TenantPhase.Active or TenantPhase.Suspended or TenantPhase.Failed))
        {
            logger.LogWarning("Tenant resource {Name} deleted; tenant {TenantId} is {Phase} (preventDeletion: {Prevent}) and stays", deleted.ResourceName, tenant.Id, tenant.Phase, tenant.Spec.PreventDeletion == true);
            return;
        }

        var grace = options.Value.DefaultDeletionGracePeriod;
        var now = clock.GetUtcNow();
        session.LastModifiedBy = $"kubernetes:tenant/{deleted.ResourceName}";
        session.Events.Append(tenant.Id, new DeletionRequested(grace, now));
        outbox.Publish(new TenantDeletionRequested(TenantCorrelation.For(tenant.Id), tenant.Id, grace, now), tenant.Id);
    }
}
