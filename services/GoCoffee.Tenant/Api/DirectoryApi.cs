using GoCoffee.Contracts.Tenants;
using GoCoffee.ServiceDefaults.Security;
using GoCoffee.Tenant.ApiKeys;
using GoCoffee.Tenant.Lifecycle;
using GoCoffee.Tenant.Tiers;
using Marten;

namespace GoCoffee.Tenant.Api;

/// <summary>
/// The gateway's starting point: every tenant that has been active (phase, tier limits and features, suspension reason,
/// stream version) and the hashes of its live API keys, a page at a time in the order of tenant ids
/// (<c>?limit=</c> tenants, at most <see cref="MaxPageSize"/>; <c>?after=</c> the previous page's <c>next</c>).
/// Platform-admin only, and not in the public API document.
/// </summary>
public static class DirectoryApi
{
    public const int DefaultPageSize = 500;
    public const int MaxPageSize = 1000;

    public static RouteGroupBuilder MapDirectoryApi(this RouteGroupBuilder api)
    {
        api.MapGet("/_directory", Directory).RequirePlatformAdmin().ExcludeFromDescription();
        return api;
    }

    internal static async Task<IResult> Directory(IQuerySession session, TimeProvider clock, int? limit, string? after, CancellationToken cancellationToken)
    {
        var size = limit ?? DefaultPageSize;
        if (size is < 1 or > MaxPageSize)
        {
            return ApiProblems.Invalid("limit", $"must be between 1 and {MaxPageSize}");
        }

        if (after is { Length: > 253 })
        {
            return ApiProblems.Invalid("after", "must be the 'next' cursor of a previous page");
        }

        var at = clock.GetUtcNow();

        // Keyset paging on the document id (the tenant id): stable whatever is created or deleted between two pages.
        var scanned = await session.QueryAsync<Lifecycle.Tenant>("where id > ? order by id limit ?", cancellationToken, after ?? string.Empty, size);
        var tenants = scanned.Where(t => t.Phase != TenantPhase.Deleted && WasActivated(t)).ToList();
        var ids = tenants.Select(t => t.Id).ToArray();
        var keys = ids.Length == 0
            ? []
            : await session.Query<ApiKey>().Where(k => k.Status == ApiKeyStatus.Active && k.TenantId.IsOneOf(ids)).ToListAsync(cancellationToken);
        var access = tenants
            .Select(t =>
            {
                var tier = TierCatalog.Find(t.Spec.Tier);
                return new TenantAccess(
                    t.Id,
                    t.Phase,
                    t.Spec.Tier ?? string.Empty,
                    tier?.RateLimitPerMinute ?? 0,
                    tier?.Features() ?? [],
                    t.Phase == TenantPhase.Suspended ? t.SuspensionReason : null,
                    t.Version);
            })
            .ToList();
        var next = scanned.Count == size ? scanned[^1].Id : null;
        return TypedResults.Ok(new TenantDirectory(access, keys.OrderBy(k => k.TenantId, StringComparer.Ordinal).ThenBy(k => k.Id, StringComparer.Ordinal).Select(k => k.Issued()).ToList(), at, next));
    }

    /// <summary>Onboarding finished once (its namespaces exist), or it is serving or suspended: its callers get through.</summary>
    private static bool WasActivated(Lifecycle.Tenant tenant) =>
        tenant.Phase is TenantPhase.Active or TenantPhase.Suspended || tenant.Namespaces.Count > 0;
}
