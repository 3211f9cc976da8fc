using GoCoffee.Contracts;
using GoCoffee.Contracts.Cluster;
using GoCoffee.Contracts.Tenants;
using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.Tenant.Api;
using GoCoffee.Tenant.Lifecycle;
using GoCoffee.Tenant.Quotas;
using GoCoffee.Tenant.Validation;
using Marten;
using MassTransit;

namespace GoCoffee.Tenant.CustomResources;

/// <summary>
/// A Tenant applied as a Kubernetes custom resource (kubectl, Argo CD) goes through the same validation and the same
/// saga as one posted to the API. What cannot be applied is reported on the resource's status, not dropped.
/// </summary>
public sealed class TenantResourceAppliedConsumer(IDocumentSession session, IOutbox outbox, TimeProvider clock) : IConsumer<TenantResourceApplied>
{
    public async Task Consume(ConsumeContext<TenantResourceApplied> context)
    {
        var resource = context.Message.Resource;
        var name = resource.Metadata?.Name ?? resource.Spec?.TenantId ?? "unnamed";
        var now = clock.GetUtcNow();
        session.LastModifiedBy = $"kubernetes:tenant/{name}";

        var errors = TenantValidator.Validate(resource);
        var tenant = TenantValidator.IsDnsLabel(resource.Spec?.TenantId)
            ? await session.LoadAsync<Lifecycle.Tenant>(resource.Spec!.TenantId!, context.CancellationToken)
            : null;
        if (errors.Count > 0)
        {
            // An invalid change to a running tenant leaves it running: report the tenant's status with the refusal.
            var current = tenant is { Source: Lifecycle.Tenant.ClusterSource } && tenant.ResourceName == name ? tenant.ToStatus() : null;
            Report(resource.Spec?.TenantId ?? name, name, "Invalid", string.Join("; ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))), now, current);
            return;
        }

        var spec = resource.Spec!;
        var hash = TenantsApi.Hash(name, spec);
        if (tenant is null)
        {
            TenantDecisions.Register(session, outbox, spec, name, Lifecycle.Tenant.ClusterSource, idempotencyKey: null, hash, now, initialKey: null);
            return;
        }

        if (tenant.Source != Lifecycle.Tenant.ClusterSource || tenant.ResourceName != name)
        {
            Report(tenant.Id, name, "Conflict", $"tenant '{tenant.Id}' already exists and is managed {(tenant.Source == Lifecycle.Tenant.ClusterSource ? $"by resource '{tenant.ResourceName}'" : "through the API")}", now);
            return;
        }

        if (Equals(TenantsApi.Hash(name, tenant.Spec), hash))
        {
            return;
        }

        if (tenant.Phase is not (TenantPhase.Active or TenantPhase.Failed))
        {
            Report(tenant.Id, name, "Busy", $"the tenant is {tenant.Phase}; the change is applied when it is Active — re-apply then", now, tenant.ToStatus());
            return;
        }

        var ledger = await session.LoadAsync<TenantLedger>(tenant.Id, context.CancellationToken) ?? TenantLedger.For(tenant.Spec);
        var shortfalls = await TenantDecisions.ChangeSpec(session, outbox, tenant, ledger, spec, ["spec"], now, context.CancellationToken);
        if (shortfalls.Count > 0)
        {
            Report(tenant.Id, name, "QuotaInUse", string.Join("; ", shortfalls.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))), now, tenant.ToStatus());
        }
    }

    private void Report(string tenantId, string name, string reason, string message, DateTimeOffset now, TenantStatus? current = null)
    {
        var status = current ?? new TenantStatus { Phase = TenantPhase.Failed };
        status.Conditions.RemoveAll(c => c.Type == "Synced");
        status.Conditions.Add(new ResourceCondition("Synced", "False", reason, message, now));
        outbox.Publish(new TenantStatusChanged(tenantId, name, status, now), tenantId);
    }
}
