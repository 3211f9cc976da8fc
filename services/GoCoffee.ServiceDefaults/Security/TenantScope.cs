using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace GoCoffee.ServiceDefaults.Security;

/// <summary>
/// How a service keeps a tenant-scoped caller to its own tenant: <see cref="RequireTenantAccess{TBuilder}"/> on every
/// endpoint with a <c>{tenantId}</c> in its route, <see cref="RequirePlatformAdmin{TBuilder}"/> on what only operators
/// (and the platform itself) may do. Any other endpoint still needs a valid internal token (the fallback policy).
/// </summary>
public static class TenantScope
{
    public const string PlatformAdminPolicy = "platform-admin";
    public const string TenantAccessPolicy = "tenant-access";
    public const string TenantRouteValue = "tenantId";

    public static TBuilder RequirePlatformAdmin<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(PlatformAdminPolicy);

    /// <summary>The caller is a platform admin, or a tenant-scoped caller whose tenant is the route's <c>{tenantId}</c>.</summary>
    public static TBuilder RequireTenantAccess<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(TenantAccessPolicy);

    public static bool IsPlatformAdmin(this ClaimsPrincipal user) => user.HasClaim(InternalClaims.Scope, CallerScope.PlatformAdmin);

    /// <summary>The tenant a tenant-scoped caller acts for; null for platform admins and anonymous callers.</summary>
    public static string? CallerTenantId(this ClaimsPrincipal user) =>
        user.HasClaim(InternalClaims.Scope, CallerScope.Tenant) ? user.FindFirst(InternalClaims.TenantId)?.Value : null;

    public static bool MayAccessTenant(this ClaimsPrincipal user, string tenantId) =>
        user.IsPlatformAdmin() || (user.CallerTenantId() is { Length: > 0 } own && string.Equals(own, tenantId, StringComparison.Ordinal));
}

public sealed record TenantAccessRequirement(string RouteValue) : IAuthorizationRequirement;

public sealed record PlatformAdminRequirement : IAuthorizationRequirement;

internal sealed class PlatformAdminHandler : AuthorizationHandler<PlatformAdminRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PlatformAdminRequirement requirement)
    {
        if (context.User.IsPlatformAdmin())
        {
            context.Succeed(requirement);
        }
        else if (context.User.Identity?.IsAuthenticated == true)
        {
            context.Fail(new AuthorizationFailureReason(this, "Only a platform administrator may do this; a tenant's caller may use its own tenant's resources only."));
        }

        return Task.CompletedTask;
    }
}

internal sealed class TenantAccessHandler : AuthorizationHandler<TenantAccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, TenantAccessRequirement requirement)
    {
        var http = context.Resource as HttpContext;
        var tenantId = http?.GetRouteValue(requirement.RouteValue) as string;
        if (tenantId is not null && context.User.MayAccessTenant(tenantId))
        {
            context.Succeed(requirement);
        }
        else if (context.User.Identity?.IsAuthenticated == true)
        {
            var own = context.User.CallerTenantId();
            context.Fail(new AuthorizationFailureReason(
                this,
                own is null
                    ? "The caller has no tenant scope."
                    : $"A caller scoped to tenant '{own}' may only use that tenant's resources."));
        }

        return Task.CompletedTask;
    }
}
