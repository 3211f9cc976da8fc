using GoCoffee.Testing;

namespace GoCoffee.Bench.Tenants;

/// <summary>A tenant document the benchmark posts, under a fresh id each time.</summary>
public sealed record TenantShape(string Name, string Description, int Namespaces, Func<string, string> Yaml)
{
    /// <summary>The onboarding tests' premium tenant: 2 namespaces, network policies, owners.</summary>
    public static readonly TenantShape Premium = new("premium-2ns", "premium, 2 namespaces (the onboarding tests' shape)", 2, id => TenantDocuments.Yaml(id, "premium", namespaces: 2));

    /// <summary>The seed document's enterprise tenant, verbatim but for its id: 5 namespaces, GPUs, every service.</summary>
    public static readonly TenantShape Enterprise = new("enterprise-5ns", "the seed's enterprise tenant, 5 namespaces", 5, id =>
    {
        var yaml = SeedDocuments.EnterpriseTenantYaml
            .Replace("name: enterprise-customer-1", $"name: {id}", StringComparison.Ordinal)
            .Replace("tenantId: ent-customer-1", $"tenantId: {id}", StringComparison.Ordinal);
        return yaml.Contains($"tenantId: {id}", StringComparison.Ordinal)
            ? yaml
            : throw new InvalidOperationException("The seed's enterprise tenant no longer names tenantId ent-customer-1; update TenantShape.Enterprise.");
    });
}
