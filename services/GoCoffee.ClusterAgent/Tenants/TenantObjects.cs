using GoCoffee.Contracts.Tenants;
using k8s;
using k8s.Models;

namespace GoCoffee.ClusterAgent.Tenants;

/// <summary>Everything the cluster holds for a tenant's plan, in the order it can be applied.</summary>
public static class TenantObjects
{
    /// <summary>
    /// Per namespace: the Namespace first (everything else lives in it), then its quota and limits (so nothing starts
    /// unbounded), network isolation (before anything could accept traffic), and the owners' access last.
    /// </summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> For(TenantPlan plan, TenantNetworkOptions network)
    {
        var objects = new List<IKubernetesObject<V1ObjectMeta>>();
        foreach (var ns in plan.Namespaces)
        {
            objects.Add(TenantNamespace.Build(plan, ns));
            objects.Add(TenantQuota.BuildQuota(plan, ns));
            objects.Add(TenantQuota.BuildLimits(plan, ns));
            if (plan.NetworkPolicies)
            {
                objects.AddRange(TenantNetworkPolicies.Build(plan, ns, network));
            }

            objects.Add(TenantAdminAccess.BuildRole(plan, ns));
            objects.Add(TenantAdminAccess.BuildBinding(plan, ns));
        }

        return objects;
    }
}
