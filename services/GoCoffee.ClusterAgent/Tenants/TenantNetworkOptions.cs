namespace GoCoffee.ClusterAgent.Tenants;

/// <summary>
/// Where the traffic a tenant's namespaces accept comes from (<c>ClusterAgent:NetworkPolicies</c>). Each selector is a
/// set of labels; an empty one means the default, so configuration replaces a default rather than adding to it.
/// </summary>
public sealed class TenantNetworkOptions
{
    public const string Section = "ClusterAgent:NetworkPolicies";

    /// <summary>Labels of the namespace the platform's gateway runs in.</summary>
    public Dictionary<string, string> GatewayNamespaceLabels { get; set; } = [];

    /// <summary>Labels of the gateway's pods inside that namespace.</summary>
    public Dictionary<string, string> GatewayPodLabels { get; set; } = [];

    /// <summary>Labels of the namespace Prometheus scrapes from.</summary>
    public Dictionary<string, string> MonitoringNamespaceLabels { get; set; } = [];

    /// <summary>Labels of the namespace the cluster DNS runs in.</summary>
    public Dictionary<string, string> DnsNamespaceLabels { get; set; } = [];

    public IReadOnlyDictionary<string, string> GatewayNamespace => OrDefault(GatewayNamespaceLabels, NamespaceNamed("go-coffee"));

    public IReadOnlyDictionary<string, string> GatewayPods => OrDefault(GatewayPodLabels, new() { ["app.kubernetes.io/name"] = "gateway" });

    public IReadOnlyDictionary<string, string> MonitoringNamespace => OrDefault(MonitoringNamespaceLabels, NamespaceNamed("monitoring"));

    public IReadOnlyDictionary<string, string> DnsNamespace => OrDefault(DnsNamespaceLabels, NamespaceNamed("kube-system"));

    /// <summary>Kubernetes labels every namespace with its own name (1.21+), so a namespace can be selected by name.</summary>
    private static Dictionary<string, string> NamespaceNamed(string name) => new() { ["kubernetes.io/metadata.name"] = name };

    private static IReadOnlyDictionary<string, string> OrDefault(Dictionary<string, string> configured, Dictionary<string, string> fallback) =>
        configured.Count > 0 ? configured : fallback;
}
