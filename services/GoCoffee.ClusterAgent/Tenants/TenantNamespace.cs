using GoCoffee.ClusterAgent.Objects;
using GoCoffee.Contracts.Tenants;
using k8s.Models;

namespace GoCoffee.ClusterAgent.Tenants;

public static class TenantNamespace
{
    /// <summary>The platform's labels, the Pod Security labels of the plan's isolation level, and its node selector if it has one.</summary>
    public static V1Namespace Build(TenantPlan plan, TenantNamespacePlan ns)
    {
        var labels = PlatformLabels.ForTenant(plan.TenantId, plan.Tier);
        foreach (var (key, value) in TenantPodSecurity.Labels(plan))
        {
            labels[key] = value;
        }

        return new V1Namespace
        {
            ApiVersion = "v1",
            Kind = "Namespace",
            Metadata = new V1ObjectMeta
            {
                Name = ns.Name,
                Labels = labels,
                Annotations = TenantPodSecurity.NodeSelector(plan) is { } selector
                    ? new Dictionary<string, string> { [TenantPodSecurity.NodeSelectorAnnotation] = selector }
                    : null,
            },
        };
    }

    /// <summary>Metadata for an object inside one of the tenant's namespaces.</summary>
    internal static V1ObjectMeta Metadata(TenantPlan plan, TenantNamespacePlan ns, string name) => new()
    {
        Name = name,
        NamespaceProperty = ns.Name,
        Labels = PlatformLabels.ForTenant(plan.TenantId, plan.Tier),
    };
}
