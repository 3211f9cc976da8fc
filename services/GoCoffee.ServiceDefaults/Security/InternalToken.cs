namespace GoCoffee.ServiceDefaults.Security;

/// <summary>What a caller may do: everything (platform operators, the platform's own components) or one tenant's data.</summary>
public static class CallerScope
{
    public const string PlatformAdmin = "platform-admin";
    public const string Tenant = "tenant";
}

/// <summary>The claims of the internal token the gateway mints for every request it forwards.</summary>
public static class InternalClaims
{
    /// <summary>Who acts: an operator, a partner app or an API key (<c>http.User.Identity.Name</c> in every service).</summary>
    public const string Subject = "sub";

    /// <summary><see cref="CallerScope.PlatformAdmin"/> or <see cref="CallerScope.Tenant"/>.</summary>
    public const string Scope = "scope";

    /// <summary>The one tenant a <see cref="CallerScope.Tenant"/> caller acts for.</summary>
    public const string TenantId = "tenant_id";
}

/// <summary>Who a request is made by, as the gateway resolved it (never from a client's header).</summary>
public sealed record InternalCaller(string Actor, string Scope, string? TenantId)
{
    public static InternalCaller PlatformAdmin(string actor) => new(actor, CallerScope.PlatformAdmin, null);

    public static InternalCaller ForTenant(string actor, string tenantId) => new(actor, CallerScope.Tenant, tenantId);
}

/// <summary>
/// <c>Platform:InternalToken</c>: the short-lived token the gateway signs (HMAC-SHA256 with a key it shares with the
/// services) to tell a service who the caller is. Services accept a tenant identity from nothing else.
/// </summary>
public sealed class InternalTokenOptions
{
    public const string Section = "Platform:InternalToken";

    /// <summary>At least 32 bytes (UTF-8). Never logged. Without it, only a development process uses <see cref="DevelopmentKeys.InternalTokenSigningKey"/>.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Keys still accepted while a new <see cref="SigningKey"/> rolls out (rotation without downtime).</summary>
    public List<string> PreviousSigningKeys { get; set; } = [];

    public string Issuer { get; set; } = "gocoffee-gateway";

    public string Audience { get; set; } = "gocoffee-services";

    public TimeSpan Lifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How far the clocks of the gateway and a service may disagree.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(5);
}
