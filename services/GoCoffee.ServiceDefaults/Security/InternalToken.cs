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
/// <c>Platform:InternalToken</c>: the short-lived token the gateway signs (ES256: ECDSA P-256 with SHA-256) to tell a
/// service who the caller is. Only the gateway holds the private key; services hold the public key, so a service can
/// check tokens but never mint one. Each token names one service as its audience. Services accept a tenant identity
/// from nothing else.
/// </summary>
public sealed class InternalTokenOptions
{
    public const string Section = "Platform:InternalToken";

    /// <summary>The gateway's private key (PEM, PKCS#8 or SEC 1, P-256). Never logged; services must not have it.</summary>
    public string? SigningKey { get; set; }

    /// <summary>A file holding <see cref="SigningKey"/> (a mounted Secret), read at startup.</summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>The public key (PEM, P-256) a service checks internal tokens with.</summary>
    public string? PublicKey { get; set; }

    /// <summary>A file holding <see cref="PublicKey"/>, read at startup.</summary>
    public string? PublicKeyFile { get; set; }

    /// <summary>Public keys still accepted while a new key pair rolls out (rotation without downtime).</summary>
    public List<string> PreviousPublicKeys { get; set; } = [];

    public string Issuer { get; set; } = "gocoffee-gateway";

    /// <summary>The audience a service accepts: by default its own name (<c>tenant</c>, <c>ai-workload</c>, …), which the gateway puts in the tokens it forwards to it.</summary>
    public string? Audience { get; set; }

    public TimeSpan Lifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How far the clocks of the gateway and a service may disagree.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether this process mints internal tokens (the gateway): it then needs the private key.</summary>
    internal bool MintsTokens { get; set; }

    /// <summary>Whether a development key stands in for a key that is not configured.</summary>
    internal bool UsesDevelopmentKeys { get; set; }

    /// <summary>Whether a development key was needed but refused because the process runs in a pod.</summary>
    internal bool RefusedInPod { get; set; }
}
