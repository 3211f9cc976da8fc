using System.Security.Claims;
using GoCoffee.ServiceDefaults;
using GoCoffee.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GoCoffee.Observability.Stacks.Api;

/// <summary>
/// Whose stacks a request is about: a tenant's caller always acts for the tenant of its credential (a
/// <c>tenantId</c> it names must be that one); a platform admin names the tenant with the <c>tenantId</c> query parameter.
/// </summary>
internal static class Caller
{
    public static (string? TenantId, ProblemHttpResult? Problem) Tenant(ClaimsPrincipal user, string? tenantId)
    {
        if (user.CallerTenantId() is { Length: > 0 } own)
        {
            return tenantId is null || tenantId == own
                ? (own, null)
                : (null, FieldProblems.Problem(StatusCodes.Status403Forbidden, "Not your tenant.", "tenantId", $"a caller scoped to tenant '{own}' may only use that tenant's stacks"));
        }

        if (user.IsPlatformAdmin())
        {
            return string.IsNullOrEmpty(tenantId)
                ? (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Which tenant?", detail: "tenantId: a platform admin names the tenant with the tenantId query parameter", extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["tenantId"] = ["is required for a platform admin"] } }))
                : (tenantId, null);
        }

        return (null, TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "No tenant scope.", detail: "The caller has no tenant scope."));
    }

    public static string Actor(HttpContext http) => http.User.Identity?.Name is { Length: > 0 } name ? name : "anonymous";
}
