using GoCoffee.FakeKubernetes;

namespace GoCoffee.ClusterAgent.Tests.CustomResources;

/// <summary>The repository's examples are kubectl-ready: the real kubectl applies the shipped CRD, then the example as it is.</summary>
public sealed class ExamplesWithKubectlTests : IAsyncLifetime
{
    private FakeKubernetesServer _cluster = null!;
    private Kubectl _kubectl = null!;

    public async Task InitializeAsync()
    {
        _cluster = await FakeKubernetesServer.StartAsync();
        _kubectl = new Kubectl(_cluster);
    }

    public async Task DisposeAsync()
    {
        _kubectl.Dispose();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task The_seeds_enterprise_tenant_applies_with_kubectl_against_the_shipped_crd()
    {
        await _kubectl.RunAsync("apply", "-f", Path.Combine(AppContext.BaseDirectory, "crds", "tenants.tenant.gocoffee.dev.yaml"));

        var applied = await _kubectl.RunAsync("apply", "-f", Path.Combine(AppContext.BaseDirectory, "examples", "tenant-enterprise-customer-1.yaml"));

        Assert.Contains("tenant.tenant.gocoffee.dev/enterprise-customer-1 created", applied, StringComparison.Ordinal);
        Assert.Equal("ent-customer-1 enterprise 5", await _kubectl.RunAsync(
            "get", "tn", "enterprise-customer-1", "-o", "jsonpath={.spec.tenantId} {.spec.tier} {.spec.resources.namespaces}"));
    }

    [Fact]
    public async Task The_seeds_coffee_recommendation_ai_applies_with_kubectl_in_a_namespace_against_the_shipped_crd()
    {
        await _kubectl.RunAsync("apply", "-f", Path.Combine(AppContext.BaseDirectory, "crds", "aiworkloads.ai.gocoffee.dev.yaml"));
        _cluster.SeedYaml("""
            apiVersion: v1
            kind: Namespace
            metadata: { name: ent-customer-1-1 }
            """);

        var applied = await _kubectl.RunAsync("apply", "-n", "ent-customer-1-1", "-f", Path.Combine(AppContext.BaseDirectory, "examples", "aiworkload-coffee-recommendation-ai.yaml"));

        Assert.Contains("aiworkload.ai.gocoffee.dev/coffee-recommendation-ai created", applied, StringComparison.Ordinal);
        Assert.Equal("coffee-recommendation v2.1.0 nvidia-tesla-t4 1", await _kubectl.RunAsync(
            "get", "aiw", "coffee-recommendation-ai", "-n", "ent-customer-1-1", "-o", "jsonpath={.spec.model.name} {.spec.model.version} {.spec.resources.gpu.type} {.spec.resources.gpu.count}"));
    }
}
