using System.Text.Json.Nodes;
using k8s.Models;

namespace GoCoffee.FakeKubernetes.Tests;

public sealed class ServerControlTests : FakeClusterTest
{
    [Fact]
    public async Task Seeded_and_mutated_objects_are_visible_to_clients()
    {
        Server.SeedYaml("""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: seeded
              namespace: default
            spec:
              selector: {matchLabels: {app: seeded}}
              template: {metadata: {labels: {app: seeded}}, spec: {containers: [{name: c, image: i}]}}
            status:
              readyReplicas: 0
            """);
        var mutated = Server.Mutate("deployments", "default", "seeded", d => d["status"] = new JsonObject { ["readyReplicas"] = 1 });
        Assert.Equal(1, mutated["metadata"]!["generation"]!.GetValue<long>());

        var read = await Client.AppsV1.ReadNamespacedDeploymentAsync("seeded", "default");
        Assert.Equal(1, read.Status.ReadyReplicas);
        Assert.Equal(1, read.Spec.Replicas);

        Assert.True(Server.Delete("deploy", "default", "seeded"));
        Assert.Empty(Server.Objects("deployments.apps"));
    }

    [Fact]
    public async Task Kubeconfig_points_a_client_at_the_server()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, Server.Kubeconfig("kube-system"));
            var config = k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
            using var client = new k8s.Kubernetes(config);
            Assert.Equal("kube-system", config.Namespace);
            Assert.NotEmpty((await client.CoreV1.ListNamespaceAsync()).Items);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Discovery_lists_groups_and_resources()
    {
        var groups = await Client.Apis.GetAPIVersionsAsync();
        Assert.Contains(groups.Groups, g => g.Name == "monitoring.coreos.com");
        var apps = await Client.AppsV1.GetAPIResourcesAsync();
        var deployments = apps.Resources.Single(r => r.Name == "deployments");
        Assert.True(deployments.Namespaced);
        Assert.Contains("deploy", deployments.ShortNames);
        Assert.Contains(apps.Resources, r => r.Name == "deployments/scale" && r.Kind == "Scale");
        var version = await Client.Version.GetCodeAsync();
        Assert.Equal("1", version.Major);
    }

    [Fact]
    public async Task Dry_run_changes_nothing()
    {
        var result = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "dry" } }, "default", dryRun: "All");
        Assert.Equal("dry", result.Metadata.Name);
        Assert.Empty(Server.Objects("configmaps"));
    }

    [Fact]
    public async Task A_stopped_server_refuses_connections_and_disposing_twice_is_fine()
    {
        var server = await FakeKubernetesServer.StartAsync();
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseUri.ToString() });
        await server.DisposeAsync();
        await server.DisposeAsync();
        await Assert.ThrowsAsync<HttpRequestException>(() => client.CoreV1.ListNamespaceAsync());
    }
}
