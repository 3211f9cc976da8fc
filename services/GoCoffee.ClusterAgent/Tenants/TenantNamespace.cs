using GoCoffee.ClusterAgent.Objects;
using GoCoffee.Contracts.Tenants;
using k8s.Models;

namespace GoCoffee.ClusterAgent.Tenants;

public static class TenantNamespace
{
    public static V1Namespace Build(TenantPlan plan, TenantNamespacePlan ns) => new()
    {
        ApiVersion = "v1",
        Kind = "Namespace",
        Metadata = new V1ObjectMeta { Name = ns.Name, Labels = PlatformLabels.ForTenant(plan.TenantId, plan.Tier) },
    };

    /// <summary>Metadata for an object inside one of the tenant's namespaces.</summary>
    internal static V1ObjectMeta Metadata(TenantPlan plan, TenantNamespacePlan ns, string name) => new()
    {
        Name = name,
        NamespaceProperty = ns.Name,
        Labels = PlatformLabels.ForTenant(plan.TenantId, plan.Tier),
    };
}
