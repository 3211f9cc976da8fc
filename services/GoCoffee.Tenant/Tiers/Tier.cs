namespace GoCoffee.Tenant.Tiers;

/// <summary>
/// A tier is the one lever that decides everything else: resource defaults and maxima, GPU access, rate limit,
/// features, networks and retention. Changing a tenant's tier re-derives all of it.
/// </summary>
public sealed record Tier(
    string Name,
    TierResources Defaults,
    TierResources Maxima,
    int MaxGpuQuota,
    IReadOnlyList<string> GpuTypes,
    int RateLimitPerMinute,
    IReadOnlyList<string> Services,
    IReadOnlyList<string> CoffeeFeatures,
    IReadOnlyList<string> Web3Networks,
    int RetentionDays,
    int MaxLoadBalancers)
{
    /// <summary>What the tier includes, as the gateway checks it: its services (coffee, ai, web3) and coffee features.</summary>
    public IReadOnlyList<string> Features() => [.. Services, .. CoffeeFeatures];
}

/// <summary>Kubernetes quantities for cpu, memory and storage, with the number of namespaces.</summary>
public sealed record TierResources(int Namespaces, string Cpu, string Memory, string Storage);

public static class TierCatalog
{
    public const string Coffee = "coffee";
    public const string Ai = "ai";
    public const string Web3 = "web3";

    public static readonly IReadOnlyList<string> KnownServices = [Coffee, Ai, Web3];
    public static readonly IReadOnlyList<string> KnownCoffeeFeatures = ["premium-blends", "custom-orders"];
    public static readonly IReadOnlyList<string> KnownWeb3Networks = ["ethereum", "polygon"];
    public static readonly IReadOnlyList<string> KnownGpuTypes = ["nvidia-tesla-t4", "nvidia-tesla-v100", "nvidia-tesla-a100"];

    public static readonly Tier Free = new(
        "free",
        Defaults: new(1, "1", "2Gi", "5Gi"),
        Maxima: new(1, "2", "4Gi", "10Gi"),
        MaxGpuQuota: 0,
        GpuTypes: [],
        RateLimitPerMinute: 60,
        Services: [Coffee],
        CoffeeFeatures: [],
        Web3Networks: [],
        RetentionDays: 7,
        MaxLoadBalancers: 0);

    public static readonly Tier Basic = new(
        "basic",
        Defaults: new(1, "2", "4Gi", "20Gi"),
        Maxima: new(2, "4", "8Gi", "50Gi"),
        MaxGpuQuota: 0,
        GpuTypes: [],
        RateLimitPerMinute: 300,
        Services: [Coffee, Web3],
        CoffeeFeatures: ["custom-orders"],
        Web3Networks: ["ethereum"],
        RetentionDays: 30,
        MaxLoadBalancers: 1);

    public static readonly Tier Premium = new(
        "premium",
        Defaults: new(2, "8", "16Gi", "100Gi"),
        Maxima: new(5, "16", "32Gi", "250Gi"),
        MaxGpuQuota: 2,
        GpuTypes: ["nvidia-tesla-t4"],
        RateLimitPerMinute: 1200,
        Services: [Coffee, Ai, Web3],
        CoffeeFeatures: ["premium-blends", "custom-orders"],
        Web3Networks: ["ethereum", "polygon"],
        RetentionDays: 90,
        MaxLoadBalancers: 2);

    public static readonly Tier Enterprise = new(
        "enterprise",
        Defaults: new(3, "16", "32Gi", "250Gi"),
        Maxima: new(20, "64", "256Gi", "2Ti"),
        MaxGpuQuota: 16,
        GpuTypes: KnownGpuTypes,
        RateLimitPerMinute: 6000,
        Services: [Coffee, Ai, Web3],
        CoffeeFeatures: ["premium-blends", "custom-orders"],
        Web3Networks: ["ethereum", "polygon"],
        RetentionDays: 365,
        MaxLoadBalancers: 10);

    public static readonly IReadOnlyList<Tier> All = [Free, Basic, Premium, Enterprise];

    public static Tier? Find(string? name) => All.FirstOrDefault(tier => string.Equals(tier.Name, name, StringComparison.Ordinal));
}
