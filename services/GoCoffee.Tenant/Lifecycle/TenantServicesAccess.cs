using GoCoffee.Contracts.Tenants;
using GoCoffee.Tenant.Quotas;
using GoCoffee.Tenant.Tiers;

namespace GoCoffee.Tenant.Lifecycle;

/// <summary>
/// What a tenant may use of the business services, as <see cref="TenantServicesChanged"/> tells the orders, web3 and
/// ai-workload services: <c>spec.services</c> with the tier's defaults filled in where the spec leaves a list out.
/// </summary>
internal static class TenantServicesAccess
{
    public static TenantServicesChanged Of(string tenantId, TenantSpec spec, long version, DateTimeOffset at)
    {
        var tier = TierCatalog.Find(spec.Tier);
        var services = spec.Services;
        var coffee = new CoffeeAccess(services?.Coffee?.Enabled ?? true, [.. services?.Coffee?.Features ?? [.. tier?.CoffeeFeatures ?? []]]);
        var ai = services?.Ai is { Enabled: true } enabled
            ? new AiAccess(true, [.. enabled.Models ?? []], enabled.GpuQuota ?? 0, TenantLedger.GpuTypesOf(spec))
            : new AiAccess(false, [], 0, []);
        var web3 = services?.Web3 is { Enabled: true } web3Spec
            ? new Web3Access(true, [.. web3Spec.Networks ?? [.. tier?.Web3Networks ?? []]])
            : new Web3Access(false, []);
        return new TenantServicesChanged(tenantId, spec.Tier ?? string.Empty, coffee, ai, web3, version, at);
    }

    /// <summary>True when what the other services are told differs between the two specs (services or tier).</summary>
    public static bool Differ(TenantSpec before, TenantSpec after)
    {
        var a = Of(string.Empty, before, 0, default);
        var b = Of(string.Empty, after, 0, default);
        return a.Tier != b.Tier
            || a.Coffee.Enabled != b.Coffee.Enabled || !a.Coffee.Features.SequenceEqual(b.Coffee.Features)
            || a.Ai.Enabled != b.Ai.Enabled || a.Ai.GpuQuota != b.Ai.GpuQuota || !a.Ai.Models.SequenceEqual(b.Ai.Models) || !a.Ai.GpuTypes.SequenceEqual(b.Ai.GpuTypes)
            || a.Web3.Enabled != b.Web3.Enabled || !a.Web3.Networks.SequenceEqual(b.Web3.Networks);
    }
}
