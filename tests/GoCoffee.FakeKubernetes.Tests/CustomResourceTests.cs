using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GoCoffee.FakeKubernetes.Tests;

public sealed class CustomResourceTests : FakeClusterTest
{
    private const string TenantGroup = "tenant.gocoffee.dev";

    protected override void Configure(FakeKubernetesOptions options) => options
        .AddCustomResource(TenantGroup, "v1", "Tenant", "tenants", namespaced: false, shortNames: "tn")
        .AddCustomResource("ai.gocoffee.dev", "v1", "AiWorkload", "aiworkloads");

    [Fact]
    public async Task Cluster_scoped_custom_resource_with_status_subresource()
    {
        var tenant = new JsonObject
        {
            ["apiVersion"] = "tenant.gocoffee.dev/v1",
            ["kind"] = "Tenant",
            ["metadata"] = new JsonObject { ["name"] = "acme" },
            ["spec"] = new JsonObject { ["plan"] = "gold" },
            ["status"] = new JsonObject { ["phase"] = "ignored-on-create" },
        };
        var created = Node(await Client.CustomObjects.CreateClusterCustomObjectAsync(tenant, TenantGroup, "v1", "tenants"));
        Assert.Null(created["status"]);
        Assert.Equal(1, created["metadata"]!["generation"]!.GetValue<long>());

        var statusPatch = new V1Patch("""{"status":{"phase":"Ready"},"spec":{"plan":"ignored"}}""", V1Patch.PatchType.MergePatch);
        var withStatus = Node(await Client.CustomObjects.PatchClusterCustomObjectStatusAsync(statusPatch, TenantGroup, "v1", "tenants", "acme"));
        Assert.Equal("Ready", withStatus["status"]!["phase"]!.GetValue<string>());
        Assert.Equal("gold", withStatus["spec"]!["plan"]!.GetValue<string>());
        Assert.Equal(1, withStatus["metadata"]!["generation"]!.GetValue<long>());

        var specPatch = new V1Patch("""{"spec":{"plan":"platinum"},"status":{"phase":"ignored"}}""", V1Patch.PatchType.MergePatch);
        var upgraded = Node(await Client.CustomObjects.PatchClusterCustomObjectAsync(specPatch, TenantGroup, "v1", "tenants", "acme"));
        Assert.Equal("platinum", upgraded["spec"]!["plan"]!.GetValue<string>());
        Assert.Equal("Ready", upgraded["status"]!["phase"]!.GetValue<string>());
        Assert.Equal(2, upgraded["metadata"]!["generation"]!.GetValue<long>());

        var stored = Server.Get(TenantGroup, "tenants", null, "acme")!;
        Assert.Equal("platinum", stored["spec"]!["plan"]!.GetValue<string>());
        Assert.Single(Server.Objects("tn"));
    }

    [Fact]
    public async Task Namespaced_custom_resource_through_the_generic_client()
    {
        using var workloads = new GenericClient(Client, "ai.gocoffee.dev", "v1", "aiworkloads", disposeClient: false);
        var created = await workloads.CreateNamespacedAsync(
            new AiWorkload { Metadata = new V1ObjectMeta { Name = "barista-llm" }, Spec = new AiWorkloadSpec { Model = "small", Replicas = 1 } }, "default");
        Assert.Equal("barista-llm", created.Metadata.Name);

        var status = new V1Patch("""{"status":{"ready":true}}""", V1Patch.PatchType.MergePatch);
        await Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(status, "ai.gocoffee.dev", "v1", "default", "aiworkloads", "barista-llm");

        var read = await workloads.ReadNamespacedAsync<AiWorkload>("default", "barista-llm");
        Assert.True(read.Status?.Ready);
        read.Spec.Replicas = 3;
        var replaced = await workloads.ReplaceNamespacedAsync(read, "default", "barista-llm");
        Assert.Equal(3, replaced.Spec.Replicas);
        Assert.Equal(2, replaced.Metadata.Generation);

        var list = await workloads.ListNamespacedAsync<CustomResourceList<AiWorkload>>("default");
        Assert.Single(list.Items);

        var deleted = await workloads.DeleteNamespacedAsync<AiWorkload>("default", "barista-llm");
        Assert.Equal("barista-llm", deleted.Metadata.Name);
        Assert.Empty(Server.Objects("aiworkloads"));
    }

    [Fact]
    public async Task Custom_resources_reject_strategic_merge_patch_like_a_real_server()
    {
        await Client.CustomObjects.CreateClusterCustomObjectAsync(
            new JsonObject { ["apiVersion"] = "tenant.gocoffee.dev/v1", ["kind"] = "Tenant", ["metadata"] = new JsonObject { ["name"] = "t" } },
            TenantGroup, "v1", "tenants");
        var patch = new V1Patch("""{"spec":{"plan":"x"}}""", V1Patch.PatchType.StrategicMergePatch);
        var error = await Assert.ThrowsAsync<HttpOperationException>(
            () => Client.CustomObjects.PatchClusterCustomObjectAsync(patch, TenantGroup, "v1", "tenants", "t"));
        Assert.Equal(415, (int)error.Response.StatusCode);
    }

    [Fact]
    public async Task Storing_a_crd_serves_its_resource()
    {
        var crd = new V1CustomResourceDefinition
        {
            Metadata = new V1ObjectMeta { Name = "coffeeshops.shop.gocoffee.dev" },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = "shop.gocoffee.dev",
                Scope = "Namespaced",
                Names = new V1CustomResourceDefinitionNames { Kind = "CoffeeShop", Plural = "coffeeshops", Singular = "coffeeshop" },
                Versions =
                [
                    new V1CustomResourceDefinitionVersion
                    {
                        Name = "v1alpha1", Served = true, Storage = true,
                        Subresources = new V1CustomResourceSubresources { Status = new object() },
                        Schema = new V1CustomResourceValidation { OpenAPIV3Schema = new V1JSONSchemaProps { Type = "object", XKubernetesPreserveUnknownFields = true } },
                    },
                ],
            },
        };
        var stored = await Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        Assert.Contains(stored.Status.Conditions, c => c.Type == "Established" && c.Status == "True");

        var shop = new JsonObject { ["apiVersion"] = "shop.gocoffee.dev/v1alpha1", ["kind"] = "CoffeeShop", ["metadata"] = new JsonObject { ["name"] = "downtown" } };
        await Client.CustomObjects.CreateNamespacedCustomObjectAsync(shop, "shop.gocoffee.dev", "v1alpha1", "default", "coffeeshops");
        Assert.Single(Server.Objects("coffeeshops.shop.gocoffee.dev"));

        await Client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync("coffeeshops.shop.gocoffee.dev");
        var error = await Assert.ThrowsAsync<HttpOperationException>(
            () => Client.CustomObjects.ListNamespacedCustomObjectAsync("shop.gocoffee.dev", "v1alpha1", "default", "coffeeshops"));
        Assert.Equal(404, (int)error.Response.StatusCode);
    }

    private static JsonObject Node(object response) => JsonSerializer.SerializeToNode(response)!.AsObject();
}

public sealed class AiWorkload : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "ai.gocoffee.dev/v1";
    public string Kind { get; set; } = "AiWorkload";
    public V1ObjectMeta Metadata { get; set; } = new();
    public AiWorkloadSpec Spec { get; set; } = new();
    public AiWorkloadStatus? Status { get; set; }
}

public sealed class AiWorkloadSpec
{
    public string Model { get; set; } = "";
    public int Replicas { get; set; }
}

public sealed class AiWorkloadStatus
{
    public bool Ready { get; set; }
}

public sealed class CustomResourceList<T> : IKubernetesObject<V1ListMeta>
    where T : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";
    public string Kind { get; set; } = "";
    public V1ListMeta Metadata { get; set; } = new();
    public List<T> Items { get; set; } = [];
}
