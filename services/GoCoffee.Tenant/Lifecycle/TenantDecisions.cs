using GoCoffee.Contracts.Tenants;
using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.Tenant.ApiKeys;
using GoCoffee.Tenant.Planning;
using GoCoffee.Tenant.Quotas;
using GoCoffee.Tenant.Tiers;
using Marten;

namespace GoCoffee.Tenant.Lifecycle;

/// <summary>
/// What creating a tenant or changing its spec writes, whichever door the request came through (the API or a
/// Kubernetes custom resource): the tenant's events, its ledger and the messages that start the saga — all staged
/// on one session, to commit together.
/// </summary>
internal static class TenantDecisions
{
    /// <summary>The stream version of a tenant just created through the API: <see cref="TenantCreated"/> and its first key's <see cref="ApiKeyAdded"/>.</summary>
    public const int ApiCreatedVersion = 2;

    public static void Register(IDocumentSession session, IOutbox outbox, TenantSpec spec, string resourceName, string source, string? idempotencyKey, string requestHash, DateTimeOffset now, ApiKey? initialKey)
    {
        var tenantId = spec.TenantId!;
        var created = new TenantCreated(tenantId, spec, resourceName, source, idempotencyKey, requestHash, now);
        if (initialKey is null)
        {
            session.Events.StartStream<Tenant>(tenantId, created);
        }
        else
        {
            session.Events.StartStream<Tenant>(tenantId, created, new ApiKeyAdded(initialKey.Id, initialKey.Prefix, now));
            session.Insert(initialKey);
        }

        session.Insert(TenantLedger.For(spec));
        outbox.Publish(new TenantRegistered(TenantCorrelation.For(tenantId), tenantId, TenantPlanner.Plan(spec), now), tenantId);
        outbox.Publish(TenantServicesAccess.Of(tenantId, spec, initialKey is null ? 1 : ApiCreatedVersion, now), tenantId);
    }

    /// <returns>Field errors when the new totals fall below what is in use (nothing is staged then).</returns>
    public static async Task<Dictionary<string, string[]>> ChangeSpec(IDocumentSession session, IOutbox outbox, Tenant tenant, TenantLedger ledger, TenantSpec spec, IReadOnlyList<string> changed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var totals = TenantLedger.TotalsOf(spec);
        var shortfalls = ledger.CheckNewTotals(totals);
        if (shortfalls.Count > 0)
        {
            return shortfalls;
        }

        var fromTier = tenant.Spec.Tier!;
        var toTier = spec.Tier!;
        var description = fromTier == toTier ? $"changed {string.Join(", ", changed)}" : $"tier {fromTier} → {toTier}; changed {string.Join(", ", changed)}";
        var version = await TenantStream.AppendOne(session, tenant.Id, new SpecChanged(spec, description, fromTier, toTier, now), cancellationToken);
        ledger.Totals = totals;
        ledger.GpuTypes = TenantLedger.GpuTypesOf(spec);
        session.Store(ledger);

        var correlation = TenantCorrelation.For(tenant.Id);
        outbox.Publish(new TenantChangeRequested(correlation, tenant.Id, TenantPlanner.Plan(spec), description, now), tenant.Id);
        if (fromTier != toTier)
        {
            var tier = TierCatalog.Find(toTier)!;
            outbox.Publish(new TenantTierChanged(correlation, tenant.Id, fromTier, toTier, tier.RateLimitPerMinute, tier.Features(), now, version), tenant.Id);
        }

        if (TenantServicesAccess.Differ(tenant.Spec, spec))
        {
            outbox.Publish(TenantServicesAccess.Of(tenant.Id, spec, version, now), tenant.Id);
        }

        return [];
    }
}
