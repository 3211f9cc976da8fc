using System.Threading.RateLimiting;
using GoCoffee.Gateway.Tenancy;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;

namespace GoCoffee.Gateway.Edge;

/// <summary>
/// Requests that need a credential and come without a valid one (none, unknown, revoked, expired, badly signed) are
/// limited per client address (<see cref="RateLimitOptions.UnauthenticatedPerMinute"/>): over the limit they get a 429
/// problem with <c>Retry-After</c> instead of the 401. It runs where authorization challenges, so a request with a
/// valid credential never meets it: the authenticated path does no extra work.
/// </summary>
internal sealed class UnauthenticatedLimits(IAuthorizationMiddlewareResultHandler challenges, IOptionsMonitor<RateLimitOptions> options)
    : IAuthorizationMiddlewareResultHandler, IDisposable
{
    public const string Group = "any route without a valid credential";

    private readonly PartitionedRateLimiter<(string Address, int Limit)> _limiter = PartitionedRateLimiter.Create<(string Address, int Limit), (string Address, int Limit)>(
        key => RateLimitPartition.GetTokenBucketLimiter(key, partition => TenantRateLimits.PerMinute(partition.Limit)));

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult) =>
        authorizeResult.Challenged ? Challenge(next, context, policy, authorizeResult) : challenges.HandleAsync(next, context, policy, authorizeResult);

    public void Dispose() => _limiter.Dispose();

    private async Task Challenge(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        var address = ClientAddress.Of(context);
        var limit = Math.Max(options.CurrentValue.UnauthenticatedPerMinute, 1);
        using var lease = _limiter.AttemptAcquire((address, limit));
        if (lease.IsAcquired)
        {
            await challenges.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        context.Features.Set(new TenantRateLimits.AppliedLimit(address, Group, limit));
        await TenantRateLimits.WriteRefusal(context, lease);
    }
}

public static class UnauthenticatedLimitsRegistration
{
    /// <summary>Wraps the registered result handler (the one that writes 401/403 problems).</summary>
    public static IHostApplicationBuilder AddUnauthenticatedLimits(this IHostApplicationBuilder builder)
    {
        var registered = builder.Services.LastOrDefault(service => service.ServiceType == typeof(IAuthorizationMiddlewareResultHandler))
            ?? throw new InvalidOperationException("AddUnauthenticatedLimits needs the authorization result handler registered first.");
        builder.Services.Remove(registered);
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler>(services => new UnauthenticatedLimits(
            registered.ImplementationInstance as IAuthorizationMiddlewareResultHandler
                ?? registered.ImplementationFactory?.Invoke(services) as IAuthorizationMiddlewareResultHandler
                ?? (IAuthorizationMiddlewareResultHandler)ActivatorUtilities.CreateInstance(services, registered.ImplementationType!),
            services.GetRequiredService<IOptionsMonitor<RateLimitOptions>>()));
        return builder;
    }
}
