using GoCoffee.Contracts.Tenants;
using GoCoffee.ServiceDefaults.Security;
using GoCoffee.Tenant.ApiKeys;
using GoCoffee.Tenant.Lifecycle;
using GoCoffee.Tenant.Tiers;
using Marten;

namespace GoCoffee.Tenant.Api;

/// <summary>
/// The gateway's starting point: every tenant that has been active (phase, tier limits and features, suspension reason)
/// and the hashes of every live API key. Platform-admin only, and not in the public API document.
/// </summary>
public static class DirectoryApi
{
    public static RouteGroupBuilder MapDirectoryApi(this RouteGroupBuilder api)
    {
        api.MapGet("/_directory", Directory).RequirePlatformAdmin().ExcludeFromDescription();
        return api;
    }

    internal static async Task<IResult> Directory(IQuerySession session, TimeProvider clock, CancellationToken cancellationToken)
    {
        var at = clock.GetUtcNow();
        var tenants = await session.Query<Lifecycle.Tenant>().Where(t => t.Phase != TenantPhase.Deleted).ToListAsync(cancellationToken);
        var keys = await session.Query<ApiKey>().Where(k => k.Status == ApiKeyStatus.Active).ToListAsync(cancellationToken);
        var access = tenants
            .Where(WasActivated)
            .Select(t =>
            {
                var tier = TierCatalog.Find(t.Spec.Tier);
                return new TenantAccess(
                    t.Id,
                    t.Phase,
                    t.Spec.Tier ?? string.Empty,
                    tier?.RateLimitPerMinute ?? 0,
                    tier?.Features() ?? [],
                    t.Phase == TenantPhase.Suspended ? t.SuspensionReason : null);
            })
            .ToList();
        return TypedResults.Ok(new TenantDirectory(access, keys.Select(k => k.Issued()).ToList(), at));
    }

    /// <summary>Onboarding finished once (its namespaces exist), or it is serving or suspended: its callers get through.</summary>
    private static bool WasActivated(Lifecycle.Tenant tenant) =>
        tenant.Phase is TenantPhase.Active or TenantPhase.Suspended || tenant.Namespaces.Count > 0;
}
