using GoCoffee.ClusterAgent.Tenants;
using GoCoffee.Contracts.Tenants;
using k8s.Models;

namespace GoCoffee.ClusterAgent.Tests.Tenants;

/// <summary>What the isolation level and node affinity of a plan do to the tenant's namespaces.</summary>
public sealed class TenantPodSecurityTests
{
    private static readonly TenantNetworkOptions Network = new();

    [Theory]
    [InlineData("soft", "baseline")]
    [InlineData("hard", "restricted")]
    [InlineData("strict", "restricted")]
    [InlineData("", "restricted")]
    [InlineData("paranoid", "restricted")]
    public void Every_namespace_enforces_the_pod_security_level_of_the_isolation_level_and_warns_and_audits_at_restricted(string level, string enforced)
    {
        var namespaces = TenantObjects.For(SeedTenants.Enterprise() with { IsolationLevel = level }, Network).OfType<V1Namespace>().ToList();

        Assert.Equal(5, namespaces.Count);
        Assert.All(namespaces, ns =>
        {
            var labels = ns.Metadata.Labels;
            Assert.Equal(enforced, labels["pod-security.kubernetes.io/enforce"]);
            Assert.Equal("latest", labels["pod-security.kubernetes.io/enforce-version"]);
            Assert.Equal("restricted", labels["pod-security.kubernetes.io/warn"]);
            Assert.Equal("latest", labels["pod-security.kubernetes.io/warn-version"]);
            Assert.Equal("restricted", labels["pod-security.kubernetes.io/audit"]);
            Assert.Equal("latest", labels["pod-security.kubernetes.io/audit-version"]);
            Assert.Equal("ent-customer-1", labels["gocoffee.dev/tenant"]);
        });
    }

    [Fact]
    public void Only_namespaces_carry_pod_security_labels()
    {
        var objects = TenantObjects.For(SeedTenants.Enterprise(), Network);

        Assert.All(objects.Where(o => o is not V1Namespace), o => Assert.DoesNotContain(o.Metadata.Labels.Keys, key => key.StartsWith("pod-security.kubernetes.io/", StringComparison.Ordinal)));
    }

    [Fact]
    public void Node_affinity_becomes_every_namespace_s_node_selector_in_key_order()
    {
        var plan = SeedTenants.Enterprise() with
        {
            IsolationLevel = IsolationLevels.Strict,
            NodeSelector = new Dictionary<string, string> { ["topology.kubernetes.io/zone"] = "europe-west1-b", ["gocoffee.dev/node-pool"] = "ent-customer-1" },
        };

        var namespaces = TenantObjects.For(plan, Network).OfType<V1Namespace>().ToList();

        Assert.All(namespaces, ns => Assert.Equal(
            "gocoffee.dev/node-pool=ent-customer-1,topology.kubernetes.io/zone=europe-west1-b",
            ns.Metadata.Annotations["scheduler.alpha.kubernetes.io/node-selector"]));
    }

    [Fact]
    public void Without_node_affinity_a_namespace_has_no_node_selector()
    {
        Assert.All(TenantObjects.For(SeedTenants.Enterprise(), Network).OfType<V1Namespace>(), ns => Assert.Null(ns.Metadata.Annotations));
        Assert.All(
            TenantObjects.For(SeedTenants.Enterprise() with { NodeSelector = new Dictionary<string, string>() }, Network).OfType<V1Namespace>(),
            ns => Assert.Null(ns.Metadata.Annotations));
    }
}
