using System.Security.Claims;
using GoCoffee.ServiceDefaults.Security;

namespace GoCoffee.Gateway.Callers;

/// <summary>
/// Who made a request, resolved once from the API key or the bearer token: the actor the services will see, the scope,
/// and the tenant (never taken from a header the client sent). Cached on the request.
/// </summary>
public sealed class GatewayCaller
{
    private GatewayCaller(InternalCaller identity) => Identity = identity;

    /// <summary>What the gateway tells the services, in the internal token.</summary>
    public InternalCaller Identity { get; }

    public string Actor => Identity.Actor;

    public string? TenantId => Identity.TenantId;

    public bool IsPlatformAdmin => Identity.Scope == CallerScope.PlatformAdmin;

    /// <summary>Records the caller an authentication handler resolved without claims to read (an API key's).</summary>
    internal static void Set(HttpContext context, InternalCaller identity) => context.Features.Set(new GatewayCaller(identity));

    /// <summary>The authenticated caller of the request, or null (anonymous, or a token that grants no scope we know).</summary>
    public static GatewayCaller? Of(HttpContext context)
    {
        if (context.Features.Get<GatewayCaller>() is { } cached)
        {
            return cached;
        }

        var caller = From(context.User);
        if (caller is not null)
        {
            context.Features.Set(caller);
        }

        return caller;
    }

    /// <summary>
    /// API keys are tenant-scoped (<c>sub</c> is <c>apikey:&lt;keyId&gt;</c>). A JWT is platform-admin when its space-separated
    /// <c>scope</c> says so, tenant-scoped when it says <c>tenant</c> and carries <c>tenant_id</c>; its actor is <c>jwt:&lt;sub&gt;</c>.
    /// </summary>
    internal static GatewayCaller? From(ClaimsPrincipal user)
    {
        if (user.Identity is not { IsAuthenticated: true } identity)
        {
            return null;
        }

        var subject = user.FindFirst(InternalClaims.Subject)?.Value ?? user.FindFirst("client_id")?.Value ?? user.FindFirst("azp")?.Value;
        if (string.IsNullOrEmpty(subject))
        {
            return null;
        }

        var scopes = user.FindAll(InternalClaims.Scope).SelectMany(claim => claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal);
        var tenantId = user.FindFirst(InternalClaims.TenantId)?.Value;
        var actor = identity.AuthenticationType == ApiKeyAuthentication.SchemeName ? subject : $"jwt:{subject}";
        if (scopes.Contains(CallerScope.PlatformAdmin))
        {
            return new GatewayCaller(InternalCaller.PlatformAdmin(actor));
        }

        return scopes.Contains(CallerScope.Tenant) && !string.IsNullOrEmpty(tenantId)
            ? new GatewayCaller(InternalCaller.ForTenant(actor, tenantId))
            : null;
    }
}
