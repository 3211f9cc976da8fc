using System.Globalization;
using System.Threading.RateLimiting;
using GoCoffee.Gateway.Callers;
using GoCoffee.ServiceDefaults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace GoCoffee.Gateway.Tenancy;

/// <summary><c>Gateway:RateLimits</c>: limits that do not come from a tenant's tier.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Gateway:RateLimits";

    /// <summary>Requests per minute for each platform-admin caller, per route group.</summary>
    public int PlatformAdminPerMinute { get; set; } = 6000;

    /// <summary>Requests per minute per client address to the anonymous routes (health, OpenAPI documents).</summary>
    public int AnonymousPerMinute { get; set; } = 600;

    /// <summary>
    /// Requests per minute per client address that reach a route needing a credential without a valid one (none, unknown,
    /// revoked, expired, badly signed); the rest get 429. Callers with a valid credential are never counted here.
    /// </summary>
    public int UnauthenticatedPerMinute { get; set; } = 60;

    /// <summary>Contracted limits that replace a tenant's tier limit: tenant id → requests per minute.</summary>
    public Dictionary<string, int> Overrides { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Per-tenant rate limits by tier: one token bucket per tenant and route group (the route's cluster), holding a minute's
/// worth of requests and refilling continuously. A tier change starts a new bucket at the new limit. Refusals are 429
/// problems with <c>Retry-After</c>.
/// </summary>
public static class TenantRateLimits
{
    public const string PerTenantPolicy = "per-tenant";
    public const string PerClientAddressPolicy = "per-client-address";

    public static IHostApplicationBuilder AddTenantRateLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>().Bind(builder.Configuration.GetSection(RateLimitOptions.Section));
        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = Reject;
            options.AddPolicy(PerTenantPolicy, PerTenant);
            options.AddPolicy(PerClientAddressPolicy, PerClientAddress);
        });
        return builder;
    }

    private static RateLimitPartition<(string Subject, string Group, int Limit)> PerTenant(HttpContext context)
    {
        var caller = GatewayCaller.Of(context);
        if (caller is null)
        {
            // Only reachable on a route whose authorization lets anonymous callers through.
            return PerClientAddress(context);
        }

        var settings = context.RequestServices.GetRequiredService<IOptionsMonitor<RateLimitOptions>>().CurrentValue;
        var group = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.ClusterId ?? "gateway";
        int limit;
        string subject;
        if (caller.IsPlatformAdmin)
        {
            limit = settings.PlatformAdminPerMinute;
            subject = caller.Actor;
        }
        else
        {
            subject = caller.TenantId!;
            limit = settings.Overrides.TryGetValue(subject, out var contracted)
                ? contracted
                : context.RequestServices.GetRequiredService<TenantDirectory>().FindTenant(subject)?.RateLimitPerMinute ?? 0;
        }

        limit = Math.Max(limit, 1);
        context.Features.Set(new AppliedLimit(subject, group, limit));
        return RateLimitPartition.GetTokenBucketLimiter((Subject: subject, Group: group, Limit: limit), key => PerMinute(key.Limit));
    }

    private static RateLimitPartition<(string Subject, string Group, int Limit)> PerClientAddress(HttpContext context)
    {
        var limit = Math.Max(context.RequestServices.GetRequiredService<IOptionsMonitor<RateLimitOptions>>().CurrentValue.AnonymousPerMinute, 1);
        var address = Edge.ClientAddress.Of(context);
        context.Features.Set(new AppliedLimit(address, "anonymous", limit));
        return RateLimitPartition.GetTokenBucketLimiter((Subject: address, Group: "anonymous", Limit: limit), key => PerMinute(key.Limit));
    }

    /// <summary>
    /// A minute's worth of requests as the burst, refilled in steps of about a second (at least one token a step), so
    /// that Retry-After says when the next request may go, not when the minute is over. (.NET tops partitioned buckets
    /// up every 100 ms from the last top-up, so a burst into a bucket that sat full may get 100 ms worth more.)
    /// </summary>
    internal static TokenBucketRateLimiterOptions PerMinute(int limit)
    {
        var tokensPerStep = Math.Max(1, limit / 60);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit,
            TokensPerPeriod = tokensPerStep,
            ReplenishmentPeriod = TimeSpan.FromTicks(TimeSpan.FromMinutes(1).Ticks * tokensPerStep / limit),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    private static ValueTask Reject(OnRejectedContext rejected, CancellationToken cancellationToken) =>
        new(WriteRefusal(rejected.HttpContext, rejected.Lease));

    /// <summary>The 429 problem, with <c>Retry-After</c> from the refused lease, naming the limit the request ran into.</summary>
    internal static async Task WriteRefusal(HttpContext context, RateLimitLease lease)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var applied = context.Features.Get<AppliedLimit>();
        await Problems.WriteAsync(
            context,
            StatusCodes.Status429TooManyRequests,
            "Too many requests.",
            applied is null
                ? $"Retry after {seconds} s."
                : $"'{applied.Subject}' may make {applied.PerMinute} requests per minute to '{applied.Group}'; retry after {seconds} s.",
            new Dictionary<string, object?> { ["limitPerMinute"] = applied?.PerMinute, ["retryAfterSeconds"] = seconds });
    }

    internal sealed record AppliedLimit(string Subject, string Group, int PerMinute);
}
