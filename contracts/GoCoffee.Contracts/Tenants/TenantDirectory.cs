namespace GoCoffee.Contracts.Tenants;

/// <summary>
/// What the gateway must know to admit a tenant's request: served by the tenant service (<c>GET /api/tenants/_directory</c>,
/// platform-admin only) as the gateway's starting point, then kept current by the tenant events and the API-key events.
/// </summary>
public sealed record TenantDirectory(IReadOnlyList<TenantAccess> Tenants, IReadOnlyList<ApiKeyIssued> ApiKeys, DateTimeOffset At);

/// <summary>One tenant as the gateway sees it: its phase, its tier's rate limit and features, and why it is suspended.</summary>
public sealed record TenantAccess(
    string TenantId,
    string Phase,
    string Tier,
    int RateLimitPerMinute,
    IReadOnlyList<string> Features,
    string? SuspensionReason);
