using GoCoffee.Resources;
using GoCoffee.Contracts.Tenants;
using GoCoffee.Tenant.Tiers;

namespace GoCoffee.Tenant.Planning;

/// <summary>
/// Derives what the cluster must hold for a (valid) tenant spec: its namespaces, each with an exact share of the
/// tenant's cpu, memory, storage, load balancers and GPUs — the shares add up to the totals, never more.
/// </summary>
public static class TenantPlanner
{
    public const string GpuResource = "nvidia.com/gpu";

    public static TenantPlan Plan(TenantSpec spec)
    {
        var tenantId = spec.TenantId!;
        var tier = TierCatalog.Find(spec.Tier) ?? throw new ArgumentException($"Unknown tier {spec.Tier}", nameof(spec));
        var resources = spec.Resources!;
        var count = resources.Namespaces ?? tier.Defaults.Namespaces;

        var cpu = Split((long)(Quantity.Parse(resources.Cpu ?? tier.Defaults.Cpu) * 1000), count);
        var memory = Split((long)Quantity.Parse(resources.Memory ?? tier.Defaults.Memory), count);
        var storage = Split((long)Quantity.Parse(resources.Storage ?? tier.Defaults.Storage), count);
        var loadBalancers = Split(resources.LoadBalancers ?? 0, count);
        var gpus = Split(spec.Services?.Ai is { Enabled: true, GpuQuota: { } quota } ? quota : 0, count);

        var namespaces = Enumerable.Range(0, count)
            .Select(i => new TenantNamespacePlan(
                NamespaceName(tenantId, i + 1),
                new NamespaceQuotaPlan(
                    Quantity.Cpu(cpu[i]),
                    Quantity.Bytes(memory[i]),
                    Quantity.Bytes(storage[i]),
                    Pods: 50,
                    Services: 20,
                    LoadBalancers: (int)loadBalancers[i],
                    Gpus: gpus[i] > 0 ? new Dictionary<string, int> { [GpuResource] = (int)gpus[i] } : new Dictionary<string, int>()),
                new NamespaceLimitsPlan(
                    DefaultCpu: Quantity.Cpu(Math.Min(500, cpu[i])),
                    DefaultMemory: Quantity.Bytes(Math.Min(512L << 20, memory[i])),
                    DefaultRequestCpu: Quantity.Cpu(Math.Min(100, cpu[i])),
                    DefaultRequestMemory: Quantity.Bytes(Math.Min(128L << 20, memory[i])),
                    MaxCpu: Quantity.Cpu(cpu[i]),
                    MaxMemory: Quantity.Bytes(memory[i]))))
            .ToList();

        return new TenantPlan(
            tenantId,
            tier.Name,
            spec.Isolation?.Level ?? IsolationLevels.Default,
            spec.Isolation?.NetworkPolicy ?? true,
            spec.Owners ?? [],
            namespaces,
            spec.Isolation?.NodeAffinity is { Count: > 0 } nodes ? new SortedDictionary<string, string>(nodes, StringComparer.Ordinal) : null);
    }

    /// <summary><c>ent-customer-1-1</c> … ; ids too long for a suffix are shortened with a stable hash so names stay DNS labels.</summary>
    public static string NamespaceName(string tenantId, int index)
    {
        var suffix = $"-{index}";
        if (tenantId.Length + suffix.Length <= 63)
        {
            return tenantId + suffix;
        }

        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(tenantId)))[..6];
        return $"{tenantId[..(63 - suffix.Length - 7)].TrimEnd('-')}-{hash}{suffix}";
    }

    /// <summary>Shares of <paramref name="total"/> that differ by at most one unit and add up to it exactly.</summary>
    internal static long[] Split(long total, int parts)
    {
        var shares = new long[parts];
        for (var i = 0; i < parts; i++)
        {
            shares[i] = (total / parts) + (i < total % parts ? 1 : 0);
        }

        return shares;
    }
}
