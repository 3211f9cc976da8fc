using GoCoffee.ClusterAgent.Objects;
using GoCoffee.Contracts.Tenants;
using k8s.Models;

namespace GoCoffee.ClusterAgent.Tenants;

/// <summary>
/// Isolation between tenants: nothing goes in or out of a tenant's namespace unless a policy below allows it.
/// NetworkPolicies add up, so the default deny is one policy and every allowance is another one beside it.
/// </summary>
public static class TenantNetworkPolicies
{
    public const string DefaultDeny = "gocoffee-default-deny";
    public const string AllowSameTenant = "gocoffee-allow-same-tenant";
    public const string AllowGateway = "gocoffee-allow-gateway";
    public const string AllowMonitoring = "gocoffee-allow-monitoring";
    public const string AllowDns = "gocoffee-allow-dns";

    public static IReadOnlyList<V1NetworkPolicy> Build(TenantPlan plan, TenantNamespacePlan ns, TenantNetworkOptions network)
    {
        var sameTenant = new V1NetworkPolicyPeer { NamespaceSelector = Selector(new Dictionary<string, string> { [PlatformLabels.Tenant] = plan.TenantId }) };
        return
        [
            Policy(plan, ns, DefaultDeny, ingress: [], egress: []),
            Policy(plan, ns, AllowSameTenant,
                ingress: [new V1NetworkPolicyIngressRule { FromProperty = [sameTenant] }],
                egress: [new V1NetworkPolicyEgressRule { To = [sameTenant] }]),

            // One peer with both selectors means "gateway pods in the gateway's namespace", not either of the two.
            Policy(plan, ns, AllowGateway, ingress:
            [
                new V1NetworkPolicyIngressRule
                {
                    FromProperty = [new V1NetworkPolicyPeer { NamespaceSelector = Selector(network.GatewayNamespace), PodSelector = Selector(network.GatewayPods) }],
                },
            ]),
            Policy(plan, ns, AllowMonitoring, ingress:
            [
                new V1NetworkPolicyIngressRule { FromProperty = [new V1NetworkPolicyPeer { NamespaceSelector = Selector(network.MonitoringNamespace) }] },
            ]),
            Policy(plan, ns, AllowDns, egress:
            [
                new V1NetworkPolicyEgressRule
                {
                    To = [new V1NetworkPolicyPeer { NamespaceSelector = Selector(network.DnsNamespace) }],
                    Ports = [new V1NetworkPolicyPort { Protocol = "UDP", Port = 53 }, new V1NetworkPolicyPort { Protocol = "TCP", Port = 53 }],
                },
            ]),
        ];
    }

    /// <summary>A policy applies to every pod of the namespace and only to the directions it has rules for (or lists as denied).</summary>
    private static V1NetworkPolicy Policy(
        TenantPlan plan,
        TenantNamespacePlan ns,
        string name,
        IList<V1NetworkPolicyIngressRule>? ingress = null,
        IList<V1NetworkPolicyEgressRule>? egress = null)
    {
        var policyTypes = new List<string>();
        if (ingress is not null)
        {
            policyTypes.Add("Ingress");
        }

        if (egress is not null)
        {
            policyTypes.Add("Egress");
        }

        return new V1NetworkPolicy
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "NetworkPolicy",
            Metadata = TenantNamespace.Metadata(plan, ns, name),
            Spec = new V1NetworkPolicySpec
            {
                PodSelector = new V1LabelSelector(),
                PolicyTypes = policyTypes,
                Ingress = ingress is { Count: > 0 } ? ingress : null,
                Egress = egress is { Count: > 0 } ? egress : null,
            },
        };
    }

    private static V1LabelSelector Selector(IReadOnlyDictionary<string, string> labels) =>
        new() { MatchLabels = labels.ToDictionary(label => label.Key, label => label.Value) };
}
