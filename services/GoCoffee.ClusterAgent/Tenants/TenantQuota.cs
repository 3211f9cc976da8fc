using GoCoffee.Contracts.Tenants;
using k8s.Models;

namespace GoCoffee.ClusterAgent.Tenants;

/// <summary>
/// The namespace's share of the tenant's resources (ResourceQuota) and the per-container defaults and ceilings
/// (LimitRange). The LimitRange's defaults are what let pods that name no requests or limits start at all under a
/// quota on <c>requests.*</c> and <c>limits.*</c>.
/// </summary>
public static class TenantQuota
{
    public const string QuotaName = "gocoffee-tenant-quota";

    public const string LimitsName = "gocoffee-tenant-limits";

    public const string GpuResource = "requests.nvidia.com/gpu";

    /// <summary>The plan's GPU allowance as it was given (per type where the plan names types); see <see cref="BuildQuota"/>.</summary>
    public const string GpuAllowanceAnnotation = "gocoffee.dev/gpu-allowance";

    /// <remarks>
    /// Kubernetes sees every NVIDIA GPU as the one extended resource <c>nvidia.com/gpu</c>, so a ResourceQuota can cap
    /// only the total across types (extended resources allow only the <c>requests.</c> prefix). The type is enforced
    /// where workloads are made: the tenant service's quota ledger reserves GPUs per type before anything is created,
    /// and the AI workload's Deployment selects nodes of its reserved type. The plan's split is written to the
    /// <see cref="GpuAllowanceAnnotation"/> annotation so what the quota stands for stays visible in the cluster.
    /// </remarks>
    public static V1ResourceQuota BuildQuota(TenantPlan plan, TenantNamespacePlan ns)
    {
        var quota = ns.Quota;
        var metadata = TenantNamespace.Metadata(plan, ns, QuotaName);
        if (quota.Gpus.Count > 0)
        {
            metadata.Annotations = new Dictionary<string, string>
            {
                [GpuAllowanceAnnotation] = string.Join(',', quota.Gpus.OrderBy(gpu => gpu.Key, StringComparer.Ordinal).Select(gpu => $"{gpu.Key}={gpu.Value}")),
            };
        }

        return new V1ResourceQuota
        {
            ApiVersion = "v1",
            Kind = "ResourceQuota",
            Metadata = metadata,
            Spec = new V1ResourceQuotaSpec
            {
                Hard = new Dictionary<string, ResourceQuantity>
                {
                    ["requests.cpu"] = new(quota.Cpu),
                    ["limits.cpu"] = new(quota.Cpu),
                    ["requests.memory"] = new(quota.Memory),
                    ["limits.memory"] = new(quota.Memory),
                    ["requests.storage"] = new(quota.Storage),
                    ["pods"] = new(Count(quota.Pods)),
                    ["services"] = new(Count(quota.Services)),
                    ["services.loadbalancers"] = new(Count(quota.LoadBalancers)),

                    // Zero, not absent, when the plan has no GPUs: a namespace without the line could take any number.
                    [GpuResource] = new(Count(quota.Gpus.Values.Sum())),
                },
            },
        };
    }

    public static V1LimitRange BuildLimits(TenantPlan plan, TenantNamespacePlan ns)
    {
        var limits = ns.Limits;
        return new V1LimitRange
        {
            ApiVersion = "v1",
            Kind = "LimitRange",
            Metadata = TenantNamespace.Metadata(plan, ns, LimitsName),
            Spec = new V1LimitRangeSpec
            {
                Limits =
                [
                    new V1LimitRangeItem
                    {
                        Type = "Container",
                        DefaultProperty = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(limits.DefaultCpu), ["memory"] = new(limits.DefaultMemory) },
                        DefaultRequest = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(limits.DefaultRequestCpu), ["memory"] = new(limits.DefaultRequestMemory) },
                        Max = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(limits.MaxCpu), ["memory"] = new(limits.MaxMemory) },
                    },
                ],
            },
        };
    }

    private static string Count(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
