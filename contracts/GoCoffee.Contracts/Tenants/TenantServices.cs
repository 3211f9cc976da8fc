namespace GoCoffee.Contracts.Tenants;

/// <summary>
/// What a tenant may use of the business services (<c>spec.services</c> as its tier allows it), published by the tenant
/// service whenever that is first set or changes. The orders, web3 and ai-workload services keep their own picture of
/// tenants from it: like the lifecycle events, it may arrive late, out of order or twice, so a consumer applies one only
/// when <paramref name="Version"/> (the tenant's event-stream version) is newer than what it holds.
/// </summary>
public sealed record TenantServicesChanged(
    string TenantId,
    string Tier,
    CoffeeAccess Coffee,
    AiAccess Ai,
    Web3Access Web3,
    long Version,
    DateTimeOffset At);

/// <summary><c>spec.services.coffee</c>: whether the tenant sells coffee, and its features (<c>premium-blends</c>, <c>custom-orders</c>, ...).</summary>
public sealed record CoffeeAccess(bool Enabled, IReadOnlyList<string> Features);

/// <summary>
/// <c>spec.services.ai</c>: whether the tenant runs AI workloads, the models it may deploy, its GPU quota, and the GPU
/// types its tier allows.
/// </summary>
public sealed record AiAccess(bool Enabled, IReadOnlyList<string> Models, int GpuQuota, IReadOnlyList<string> GpuTypes);

/// <summary><c>spec.services.web3</c>: whether the tenant takes crypto payments, and on which networks (<c>ethereum</c>, <c>polygon</c>, ...).</summary>
public sealed record Web3Access(bool Enabled, IReadOnlyList<string> Networks);
