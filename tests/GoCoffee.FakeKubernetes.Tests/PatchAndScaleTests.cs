using k8s.Autorest;
using k8s.Models;

namespace GoCoffee.FakeKubernetes.Tests;

public sealed class PatchAndScaleTests : FakeClusterTest
{
    private static V1Deployment Deployment(string name, int replicas) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec
                {
                    Containers =
                    [
                        new V1Container { Name = "app", Image = "app:1", Env = [new V1EnvVar { Name = "A", Value = "1" }] },
                        new V1Container { Name = "sidecar", Image = "proxy:1" },
                    ],
                },
            },
        },
    };

    [Fact]
    public async Task Json_patch_applies_operations_in_order()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm" }, Data = new Dictionary<string, string> { ["a"] = "1" } }, "default");
        var patch = new V1Patch("""
            [
              {"op":"test","path":"/data/a","value":"1"},
              {"op":"add","path":"/data/b","value":"2"},
              {"op":"replace","path":"/data/a","value":"3"},
              {"op":"add","path":"/metadata/labels","value":{}},
              {"op":"add","path":"/metadata/labels/app.kubernetes.io~1name","value":"x"}
            ]
            """, V1Patch.PatchType.JsonPatch);
        var patched = await Client.CoreV1.PatchNamespacedConfigMapAsync(patch, "cm", "default");
        Assert.Equal(new Dictionary<string, string> { ["a"] = "3", ["b"] = "2" }, patched.Data);
        Assert.Equal("x", patched.Metadata.Labels["app.kubernetes.io/name"]);

        var failing = new V1Patch("""[{"op":"test","path":"/data/a","value":"nope"}]""", V1Patch.PatchType.JsonPatch);
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.PatchNamespacedConfigMapAsync(failing, "cm", "default"));
        Assert.Equal(422, (int)error.Response.StatusCode);
    }

    [Fact]
    public async Task Merge_patch_with_a_stale_resource_version_conflicts()
    {
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm" } }, "default");
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"x":"1"}}""", V1Patch.PatchType.MergePatch), "cm", "default");
        var body = $$$"""{"metadata":{"resourceVersion":"{{{created.Metadata.ResourceVersion}}}"},"data":{"x":"2"}}""";
        var stale = new V1Patch(body, V1Patch.PatchType.MergePatch);
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.PatchNamespacedConfigMapAsync(stale, "cm", "default"));
        Assert.Equal("Conflict", StatusOf(error).Reason);
    }

    [Fact]
    public async Task Strategic_merge_patch_merges_lists_named_by_set_element_order()
    {
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 1), "default");
        var patch = new V1Patch("""
            {"spec":{"template":{"spec":{
              "$setElementOrder/containers":[{"name":"app"},{"name":"sidecar"}],
              "containers":[{"name":"app","image":"app:2"}]}}}}
            """, V1Patch.PatchType.StrategicMergePatch);
        var patched = await Client.AppsV1.PatchNamespacedDeploymentAsync(patch, "web", "default");
        var containers = patched.Spec.Template.Spec.Containers;
        Assert.Equal(["app", "sidecar"], containers.Select(c => c.Name));
        Assert.Equal("app:2", containers[0].Image);
        Assert.Equal("A", Assert.Single(containers[0].Env).Name);
        Assert.Equal(2, patched.Metadata.Generation);
    }

    [Fact]
    public async Task Deployment_scale_subresource()
    {
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("api", 2), "default");

        var scale = await Client.AppsV1.ReadNamespacedDeploymentScaleAsync("api", "default");
        Assert.Equal(("Scale", "autoscaling/v1", 2), (scale.Kind, scale.ApiVersion, scale.Spec.Replicas));
        Assert.Equal("app=api", scale.Status.Selector);

        var patched = await Client.AppsV1.PatchNamespacedDeploymentScaleAsync(
            new V1Patch("""{"spec":{"replicas":5}}""", V1Patch.PatchType.MergePatch), "api", "default");
        Assert.Equal(5, patched.Spec.Replicas);

        patched.Spec.Replicas = 7;
        var replaced = await Client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(patched, "api", "default");
        Assert.Equal(7, replaced.Spec.Replicas);
        Assert.Equal(7, (await Client.AppsV1.ReadNamespacedDeploymentAsync("api", "default")).Spec.Replicas);

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(patched, "api", "default"));
        Assert.Equal("Conflict", StatusOf(error).Reason);
    }

    [Fact]
    public async Task Status_subresource_of_a_deployment_does_not_touch_spec()
    {
        var created = await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("svc", 1), "default");
        created.Status = new V1DeploymentStatus { ReadyReplicas = 1 };
        created.Spec.Replicas = 9;
        var updated = await Client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(created, "svc", "default");
        Assert.Equal(1, updated.Status.ReadyReplicas);
        Assert.Equal(1, updated.Spec.Replicas);
        Assert.Equal(1, updated.Metadata.Generation);
    }
}
