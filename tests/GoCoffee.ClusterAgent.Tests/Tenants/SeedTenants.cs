using GoCoffee.Contracts.Tenants;

namespace GoCoffee.ClusterAgent.Tests.Tenants;

/// <summary>
/// The seed's <c>enterprise-customer-1</c> as the tenant service plans it: 5 namespaces sharing cpu 20, memory 40Gi,
/// storage 500Gi and 4 GPUs exactly.
/// </summary>
public static class SeedTenants
{
    public const string EnterpriseId = "ent-customer-1";

    public static TenantPlan Enterprise(string tenantId = EnterpriseId, int namespaces = 5, IReadOnlyList<string>? owners = null, bool networkPolicies = true) =>
        new(
            tenantId,
            "enterprise",
            "hard",
            networkPolicies,
            owners ?? ["group:ent-customer-1-admins", "ana@ent-customer-1.example"],
            Enumerable.Range(1, namespaces)
                .Select(i => new TenantNamespacePlan(
                    $"{tenantId}-{i}",
                    new NamespaceQuotaPlan("4", "8Gi", "100Gi", Pods: 50, Services: 20, LoadBalancers: 0,
                        Gpus: i <= 4 ? new Dictionary<string, int> { ["nvidia.com/gpu"] = 1 } : new Dictionary<string, int>()),
                    new NamespaceLimitsPlan("500m", "512Mi", "100m", "128Mi", "4", "8Gi")))
                .ToList());
}
