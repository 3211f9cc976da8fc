using GoCoffee.ClusterAgent.Objects;
using GoCoffee.ClusterAgent.Tenants;
using k8s;
using k8s.Models;

namespace GoCoffee.ClusterAgent.Tests.Tenants;

public sealed class TenantObjectsTests
{
    private static readonly TenantNetworkOptions Network = new();

    private readonly IReadOnlyList<IKubernetesObject<V1ObjectMeta>> _enterprise = TenantObjects.For(SeedTenants.Enterprise(), Network);

    [Fact]
    public void Enterprise_tenant_gets_five_labelled_namespaces()
    {
        var namespaces = _enterprise.OfType<V1Namespace>().ToList();

        Assert.Equal(["ent-customer-1-1", "ent-customer-1-2", "ent-customer-1-3", "ent-customer-1-4", "ent-customer-1-5"], namespaces.Select(ns => ns.Metadata.Name));
        Assert.All(namespaces, ns =>
        {
            Assert.Equal("ent-customer-1", ns.Metadata.Labels["gocoffee.dev/tenant"]);
            Assert.Equal("gocoffee", ns.Metadata.Labels["app.kubernetes.io/managed-by"]);
            Assert.Equal("enterprise", ns.Metadata.Labels["gocoffee.dev/tier"]);
        });
    }

    [Fact]
    public void Every_object_carries_the_platform_labels_and_lives_in_a_tenant_namespace()
    {
        var namespaces = _enterprise.OfType<V1Namespace>().Select(ns => ns.Metadata.Name).ToHashSet();

        Assert.All(_enterprise, o =>
        {
            Assert.Equal(PlatformLabels.ManagedByPlatform, o.Metadata.Labels[PlatformLabels.ManagedBy]);
            Assert.Equal(SeedTenants.EnterpriseId, o.Metadata.Labels[PlatformLabels.Tenant]);
            Assert.Equal("enterprise", o.Metadata.Labels[PlatformLabels.Tier]);
            Assert.False(string.IsNullOrEmpty(o.ApiVersion));
            Assert.False(string.IsNullOrEmpty(o.Kind));
            if (o is not V1Namespace)
            {
                Assert.Contains(o.Metadata.NamespaceProperty, namespaces);
            }
        });
    }

    [Fact]
    public void Each_namespace_comes_before_every_object_inside_it()
    {
        var seen = new HashSet<string>();
        foreach (var o in _enterprise)
        {
            if (o is V1Namespace ns)
            {
                seen.Add(ns.Metadata.Name);
            }
            else
            {
                Assert.Contains(o.Metadata.NamespaceProperty, seen);
            }
        }
    }

    [Fact]
    public void Enterprise_quotas_add_up_to_the_tenant_totals()
    {
        var quotas = _enterprise.OfType<V1ResourceQuota>().ToList();

        Assert.Equal(5, quotas.Count);
        Assert.All(quotas, quota =>
        {
            Assert.Equal("4", quota.Spec.Hard["requests.cpu"].ToString());
            Assert.Equal("4", quota.Spec.Hard["limits.cpu"].ToString());
            Assert.Equal("8Gi", quota.Spec.Hard["requests.memory"].ToString());
            Assert.Equal("8Gi", quota.Spec.Hard["limits.memory"].ToString());
            Assert.Equal("100Gi", quota.Spec.Hard["requests.storage"].ToString());
            Assert.Equal("50", quota.Spec.Hard["pods"].ToString());
            Assert.Equal("20", quota.Spec.Hard["services"].ToString());
            Assert.Equal("0", quota.Spec.Hard["services.loadbalancers"].ToString());
        });
        Assert.Equal(20m, Sum(quotas, "requests.cpu"));
        Assert.Equal(40m * 1024 * 1024 * 1024, Sum(quotas, "requests.memory"));
        Assert.Equal(500m * 1024 * 1024 * 1024, Sum(quotas, "requests.storage"));
        Assert.Equal(4m, Sum(quotas, "requests.nvidia.com/gpu"));
    }

    [Fact]
    public void A_namespace_without_gpus_in_the_plan_is_capped_at_zero_gpus_not_left_open()
    {
        var last = _enterprise.OfType<V1ResourceQuota>().Single(quota => quota.Metadata.NamespaceProperty == "ent-customer-1-5");

        Assert.Equal("0", last.Spec.Hard["requests.nvidia.com/gpu"].ToString());
        Assert.Null(last.Metadata.Annotations);
    }

    [Fact]
    public void Gpu_allowance_by_type_is_summed_into_the_quota_and_kept_as_an_annotation()
    {
        var plan = SeedTenants.Enterprise(namespaces: 1);
        var ns = plan.Namespaces[0] with { Quota = plan.Namespaces[0].Quota with { Gpus = new Dictionary<string, int> { ["nvidia-tesla-t4"] = 2, ["nvidia-tesla-a100"] = 1 } } };

        var quota = TenantQuota.BuildQuota(plan, ns);

        Assert.Equal("3", quota.Spec.Hard["requests.nvidia.com/gpu"].ToString());
        Assert.Equal("nvidia-tesla-a100=1,nvidia-tesla-t4=2", quota.Metadata.Annotations[TenantQuota.GpuAllowanceAnnotation]);
    }

    [Fact]
    public void Limit_range_gives_containers_the_plan_defaults_and_ceilings()
    {
        var limits = _enterprise.OfType<V1LimitRange>().First().Spec.Limits.Single();

        Assert.Equal("Container", limits.Type);
        Assert.Equal("500m", limits.DefaultProperty["cpu"].ToString());
        Assert.Equal("512Mi", limits.DefaultProperty["memory"].ToString());
        Assert.Equal("100m", limits.DefaultRequest["cpu"].ToString());
        Assert.Equal("128Mi", limits.DefaultRequest["memory"].ToString());
        Assert.Equal("4", limits.Max["cpu"].ToString());
        Assert.Equal("8Gi", limits.Max["memory"].ToString());
    }

    [Fact]
    public void Network_policies_deny_by_default_and_allow_the_tenant_gateway_monitoring_and_dns()
    {
        var policies = _enterprise.OfType<V1NetworkPolicy>().Where(p => p.Metadata.NamespaceProperty == "ent-customer-1-3").ToDictionary(p => p.Metadata.Name);

        Assert.Equal(5, policies.Count);

        var deny = policies[TenantNetworkPolicies.DefaultDeny].Spec;
        Assert.Empty(deny.PodSelector.MatchLabels ?? new Dictionary<string, string>());
        Assert.Equal(["Ingress", "Egress"], deny.PolicyTypes);
        Assert.Null(deny.Ingress);
        Assert.Null(deny.Egress);

        var sameTenant = policies[TenantNetworkPolicies.AllowSameTenant].Spec;
        Assert.Equal("ent-customer-1", sameTenant.Ingress.Single().FromProperty.Single().NamespaceSelector.MatchLabels["gocoffee.dev/tenant"]);
        Assert.Equal("ent-customer-1", sameTenant.Egress.Single().To.Single().NamespaceSelector.MatchLabels["gocoffee.dev/tenant"]);

        var gateway = policies[TenantNetworkPolicies.AllowGateway].Spec.Ingress.Single().FromProperty.Single();
        Assert.Equal("go-coffee", gateway.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);
        Assert.Equal("gateway", gateway.PodSelector.MatchLabels["app.kubernetes.io/name"]);
        Assert.Equal(["Ingress"], policies[TenantNetworkPolicies.AllowGateway].Spec.PolicyTypes);

        var monitoring = policies[TenantNetworkPolicies.AllowMonitoring].Spec.Ingress.Single().FromProperty.Single();
        Assert.Equal("monitoring", monitoring.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);

        var dns = policies[TenantNetworkPolicies.AllowDns].Spec;
        Assert.Equal(["Egress"], dns.PolicyTypes);
        Assert.Equal("kube-system", dns.Egress.Single().To.Single().NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);
        Assert.Equal(["UDP/53", "TCP/53"], dns.Egress.Single().Ports.Select(port => $"{port.Protocol}/{(string)port.Port}"));
    }

    [Fact]
    public void Gateway_selectors_come_from_configuration_and_replace_the_defaults()
    {
        var network = new TenantNetworkOptions
        {
            GatewayNamespaceLabels = new() { ["platform.example/role"] = "edge" },
            GatewayPodLabels = new() { ["app"] = "yarp" },
        };

        var gateway = TenantNetworkPolicies.Build(SeedTenants.Enterprise(namespaces: 1), SeedTenants.Enterprise(namespaces: 1).Namespaces[0], network)
            .Single(p => p.Metadata.Name == TenantNetworkPolicies.AllowGateway).Spec.Ingress.Single().FromProperty.Single();

        Assert.Equal(new Dictionary<string, string> { ["platform.example/role"] = "edge" }, gateway.NamespaceSelector.MatchLabels);
        Assert.Equal(new Dictionary<string, string> { ["app"] = "yarp" }, gateway.PodSelector.MatchLabels);
    }

    [Fact]
    public void No_network_policies_when_the_plan_does_not_ask_for_them()
    {
        var objects = TenantObjects.For(SeedTenants.Enterprise(networkPolicies: false), Network);

        Assert.Empty(objects.OfType<V1NetworkPolicy>());
        Assert.Equal(5, objects.OfType<V1ResourceQuota>().Count());
    }

    [Fact]
    public void Owners_are_bound_to_the_tenant_admin_role_as_groups_or_users()
    {
        var plan = SeedTenants.Enterprise(owners: ["group:ent-admins", "user:bob@ent.example", "ana@ent.example"]);

        var bindings = TenantObjects.For(plan, Network).OfType<V1RoleBinding>().ToList();

        Assert.Equal(5, bindings.Count);
        Assert.All(bindings, binding =>
        {
            Assert.Equal(new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "gocoffee-tenant-admin" }.Name, binding.RoleRef.Name);
            Assert.Equal("Role", binding.RoleRef.Kind);
            Assert.Equal(
                ["Group:ent-admins", "User:bob@ent.example", "User:ana@ent.example"],
                binding.Subjects.Select(subject => $"{subject.Kind}:{subject.Name}"));
        });
    }

    [Fact]
    public void Tenant_admins_cannot_change_rbac_quotas_or_network_policies()
    {
        var role = _enterprise.OfType<V1Role>().First();
        var writes = new[] { "create", "update", "patch", "delete" };

        Assert.Equal("gocoffee-tenant-admin", role.Metadata.Name);
        Assert.Contains(role.Rules, rule => rule.ApiGroups.Contains("apps") && rule.Resources.Contains("deployments") && rule.Verbs.Contains("create"));
        Assert.DoesNotContain(role.Rules, rule => rule.ApiGroups.Contains("rbac.authorization.k8s.io"));
        Assert.DoesNotContain(role.Rules, rule =>
            (rule.Resources.Contains("resourcequotas") || rule.Resources.Contains("limitranges") || rule.Resources.Contains("networkpolicies"))
            && rule.Verbs.Intersect(writes).Any());
    }

    [Fact]
    public void Objects_turn_into_manifests_with_their_reference()
    {
        var quota = Manifest.From(_enterprise.OfType<V1ResourceQuota>().First());

        Assert.Equal(new Contracts.ClusterObjectRef("v1", "ResourceQuota", "ent-customer-1-1", TenantQuota.QuotaName), quota.Reference());
        Assert.True(quota.IsManagedFor("ent-customer-1"));
        Assert.False(quota.IsManagedFor("someone-else"));
        Assert.Equal("8Gi", (string?)quota["spec"]!["hard"]!["limits.memory"]);
    }

    private static decimal Sum(IEnumerable<V1ResourceQuota> quotas, string resource) =>
        quotas.Sum(quota => quota.Spec.Hard[resource].ToDecimal());
}
