using GoCoffee.Gateway.Tenancy;
using GoCoffee.ServiceDefaults.Security;
using Microsoft.AspNetCore.Authorization;
using Yarp.ReverseProxy.Model;

namespace GoCoffee.Gateway.Callers;

/// <summary>The caller has a scope; a tenant's caller belongs to a tenant that is serving, not suspended, and whose tier includes the route's feature.</summary>
public sealed class GatewayAccessRequirement : IAuthorizationRequirement
{
    /// <summary>Route metadata naming the tier feature a route needs (for example <c>ai</c>).</summary>
    public const string FeatureMetadata = "Feature";
}

/// <summary>
/// Refuses at the edge what no service should have to: a token without a scope we know (403), a tenant that is not
/// active, a suspended tenant (403 with the reason) and a tenant whose tier lacks the route's feature (403 naming it).
/// </summary>
internal sealed class TenantAccessAtTheEdge(TenantDirectory directory) : AuthorizationHandler<GatewayAccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, GatewayAccessRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated != true || context.Resource is not HttpContext http)
        {
            return Task.CompletedTask;
        }

        var caller = GatewayCaller.Of(http);
        if (caller is null)
        {
            context.Fail(new AuthorizationFailureReason(this, $"The token grants no scope the platform knows: '{CallerScope.PlatformAdmin}', or '{CallerScope.Tenant}' with a tenant_id."));
            return Task.CompletedTask;
        }

        // Logs of this request (here and, through the baggage header, in the service) name the caller's tenant, and
        // never one a client put in its own baggage header.
        System.Diagnostics.Activity.Current?.SetBaggage(ServiceDefaults.Logging.TenantBaggageKey, caller.TenantId);
        if (caller.IsPlatformAdmin)
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }

        var tenant = directory.FindTenant(caller.TenantId!);
        if (tenant is null)
        {
            context.Fail(Refusal($"Tenant '{caller.TenantId}' is not active on the platform.", caller.TenantId!));
            return Task.CompletedTask;
        }

        if (tenant.Suspended)
        {
            context.Fail(Refusal(
                $"Tenant '{tenant.TenantId}' is suspended: {tenant.SuspensionReason ?? "no reason given"}.",
                tenant.TenantId,
                ("reason", tenant.SuspensionReason)));
            return Task.CompletedTask;
        }

        var feature = http.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.Metadata?.GetValueOrDefault(GatewayAccessRequirement.FeatureMetadata);
        if (!string.IsNullOrEmpty(feature) && !tenant.Features.Contains(feature))
        {
            context.Fail(Refusal(
                $"Tenant '{tenant.TenantId}' is on the '{tenant.Tier}' tier, which does not include the '{feature}' feature.",
                tenant.TenantId,
                ("feature", feature),
                ("tier", tenant.Tier)));
            return Task.CompletedTask;
        }

        context.Succeed(requirement);
        return Task.CompletedTask;
    }

    private ProblemFailureReason Refusal(string message, string tenantId, params (string Key, object? Value)[] fields) =>
        new(this, message, new Dictionary<string, object?>(fields.Select(f => KeyValuePair.Create(f.Key, f.Value))) { ["tenantId"] = tenantId });
}
