using System.Net;
using GoCoffee.Testing;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace GoCoffee.Tenant.Tests;

public sealed class OnboardingWithManifestsFolderTests(PlatformWithManifestsFolder platform) : IClassFixture<PlatformWithManifestsFolder>
{
    [Fact]
    public async Task Seed_enterprise_tenant_reaches_active_with_its_objects_written_as_kubectl_ready_manifests()
    {
        using var created = await platform.PostYaml(SeedDocuments.EnterpriseTenantYaml);
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        await platform.WaitForPhase("ent-customer-1", "Active");

        var manifests = Directory.EnumerateFiles(platform.ManifestsPath, "*.yaml", SearchOption.AllDirectories).Select(Load).ToList();
        var namespaces = manifests.Where(m => Scalar(m, "kind") == "Namespace" && Label(m, "gocoffee.dev/tenant") == "ent-customer-1").ToList();
        Assert.Equal(5, namespaces.Count);
        Assert.All(manifests, m => Assert.Equal("gocoffee", Label(m, "app.kubernetes.io/managed-by")));

        var quotas = manifests.Where(m => Scalar(m, "kind") == "ResourceQuota").ToList();
        Assert.Equal(5, quotas.Count);
        Assert.Equal(20m, quotas.Sum(q => Hard(q, "limits.cpu")));
        Assert.Equal(40m * 1024 * 1024 * 1024, quotas.Sum(q => Hard(q, "limits.memory")));
        Assert.Equal(500m * 1024 * 1024 * 1024, quotas.Sum(q => Hard(q, "requests.storage")));
        Assert.Equal(5, manifests.Count(m => Scalar(m, "kind") == "RoleBinding"));
        Assert.True(manifests.Count(m => Scalar(m, "kind") == "NetworkPolicy") >= 5);
    }

    private static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    private static string? Label(YamlMappingNode manifest, string key) =>
        manifest.Children.TryGetValue(new YamlScalarNode("metadata"), out var metadata)
        && ((YamlMappingNode)metadata).Children.TryGetValue(new YamlScalarNode("labels"), out var labels)
        && ((YamlMappingNode)labels).Children.TryGetValue(new YamlScalarNode(key), out var value)
            ? ((YamlScalarNode)value).Value
            : null;

    private static decimal Hard(YamlMappingNode quota, string resource)
    {
        var spec = (YamlMappingNode)quota.Children[new YamlScalarNode("spec")];
        var hard = (YamlMappingNode)spec.Children[new YamlScalarNode("hard")];
        return new ResourceQuantity(((YamlScalarNode)hard.Children[new YamlScalarNode(resource)]).Value).ToDecimal();
    }
}
