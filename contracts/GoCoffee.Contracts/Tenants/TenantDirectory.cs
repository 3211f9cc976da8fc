namespace GoCoffee.Contracts.Tenants;

/// <summary>
/// What the gateway must know to admit a tenant's request: served by the tenant service (<c>GET /api/tenants/_directory</c>,
/// platform-admin only) as the gateway's starting point, then kept current by the tenant events and the API-key events.
/// One page of it: tenants in the order of their ids, each with its live API keys; <paramref name="Next"/> is the cursor of
/// the following page (<c>?after=</c>), null on the last one.
/// </summary>
public sealed record TenantDirectory(IReadOnlyList<TenantAccess> Tenants, IReadOnlyList<ApiKeyIssued> ApiKeys, DateTimeOffset At, string? Next = null);

/// <summary>
/// One tenant as the gateway sees it: its phase, its tier's rate limit and features, and why it is suspended; as of
/// <paramref name="Version"/>, its event-stream version (the version the tenant events carry).
/// </summary>
public sealed record TenantAccess(
    string TenantId,
    string Phase,
    string Tier,
    int RateLimitPerMinute,
    IReadOnlyList<string> Features,
    string? SuspensionReason,
    long Version = 0);
