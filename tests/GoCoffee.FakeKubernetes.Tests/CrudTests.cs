using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GoCoffee.FakeKubernetes.Tests;

public sealed class CrudTests : FakeClusterTest
{
    [Fact]
    public async Task Namespace_create_get_list_replace_delete()
    {
        var created = await CreateNamespaceAsync("orders", new Dictionary<string, string> { ["team"] = "coffee" });
        Assert.Equal("v1", created.ApiVersion);
        Assert.Equal("Namespace", created.Kind);
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.Equal("Active", created.Status.Phase);

        var read = await Client.CoreV1.ReadNamespaceAsync("orders");
        Assert.Equal(created.Metadata.ResourceVersion, read.Metadata.ResourceVersion);
        Assert.Equal("coffee", read.Metadata.Labels["team"]);

        var all = await Client.CoreV1.ListNamespaceAsync();
        Assert.Contains(all.Items, n => n.Metadata.Name == "orders");
        Assert.Contains(all.Items, n => n.Metadata.Name == "default");
        var selected = await Client.CoreV1.ListNamespaceAsync(labelSelector: "team=coffee");
        Assert.Equal(["orders"], selected.Items.Select(n => n.Metadata.Name));

        read.Metadata.Labels["team"] = "tea";
        var replaced = await Client.CoreV1.ReplaceNamespaceAsync(read, "orders");
        Assert.Equal("tea", replaced.Metadata.Labels["team"]);
        Assert.True(long.Parse(replaced.Metadata.ResourceVersion) > long.Parse(read.Metadata.ResourceVersion));
        Assert.Equal(created.Metadata.Uid, replaced.Metadata.Uid);

        await Client.CoreV1.DeleteNamespaceAsync("orders");
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReadNamespaceAsync("orders"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.Response.StatusCode);
    }

    [Fact]
    public async Task Namespaced_resource_quota_lifecycle()
    {
        await CreateNamespaceAsync("tenant-a");
        var created = await Client.CoreV1.CreateNamespacedResourceQuotaAsync(Quota("compute", "2"), "tenant-a");
        Assert.Equal("tenant-a", created.Metadata.NamespaceProperty);
        Assert.Equal("2", created.Spec.Hard["cpu"].ToString());
        Assert.Equal(1, created.Metadata.Generation);

        created.Spec.Hard["cpu"] = new ResourceQuantity("4");
        var replaced = await Client.CoreV1.ReplaceNamespacedResourceQuotaAsync(created, "compute", "tenant-a");
        Assert.Equal("4", replaced.Spec.Hard["cpu"].ToString());
        Assert.Equal(2, replaced.Metadata.Generation);

        var inNamespace = await Client.CoreV1.ListNamespacedResourceQuotaAsync("tenant-a");
        Assert.Single(inNamespace.Items);
        var everywhere = await Client.CoreV1.ListResourceQuotaForAllNamespacesAsync();
        Assert.Single(everywhere.Items);

        // ResourceQuota deletes answer with the deleted object (ConfigMaps with a Success Status), as the real API does.
        var deleted = await Client.CoreV1.DeleteNamespacedResourceQuotaAsync("compute", "tenant-a");
        Assert.Equal("compute", deleted.Metadata.Name);
        var status = await Client.CoreV1.DeleteNamespacedConfigMapAsync(
            (await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm" } }, "tenant-a")).Metadata.Name,
            "tenant-a");
        Assert.Equal("Success", status.Status);
        Assert.Empty((await Client.CoreV1.ListNamespacedResourceQuotaAsync("tenant-a")).Items);
        Assert.Empty(Server.Objects("resourcequotas"));
    }

    [Fact]
    public async Task Missing_object_is_404_with_a_NotFound_status()
    {
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReadNamespacedResourceQuotaAsync("nope", "default"));
        var status = StatusOf(error);
        Assert.Equal(404, status.Code);
        Assert.Equal("Failure", status.Status);
        Assert.Equal("NotFound", status.Reason);
        Assert.Equal("resourcequotas \"nope\" not found", status.Message);
        Assert.Equal("nope", status.Details.Name);
        Assert.Equal("resourcequotas", status.Details.Kind);
    }

    [Fact]
    public async Task Creating_twice_is_409_AlreadyExists()
    {
        await CreateNamespaceAsync("dup");
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => CreateNamespaceAsync("dup"));
        var status = StatusOf(error);
        Assert.Equal(409, status.Code);
        Assert.Equal("AlreadyExists", status.Reason);
        Assert.Equal("namespaces \"dup\" already exists", status.Message);
    }

    [Fact]
    public async Task Creating_in_a_missing_namespace_is_404()
    {
        var error = await Assert.ThrowsAsync<HttpOperationException>(
            () => Client.CoreV1.CreateNamespacedResourceQuotaAsync(Quota("q", "1"), "does-not-exist"));
        Assert.Equal("namespaces \"does-not-exist\" not found", StatusOf(error).Message);
    }

    [Fact]
    public async Task Invalid_name_is_422_naming_the_field()
    {
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => CreateNamespaceAsync("Not_Valid"));
        var status = StatusOf(error);
        Assert.Equal(422, status.Code);
        Assert.Equal("Invalid", status.Reason);
        Assert.StartsWith("Namespace \"Not_Valid\" is invalid: metadata.name: Invalid value: \"Not_Valid\": a lowercase RFC 1123 label", status.Message);
        Assert.Equal("metadata.name", Assert.Single(status.Details.Causes).Field);
    }

    [Fact]
    public async Task Missing_required_fields_are_422()
    {
        var deployment = new V1Deployment { Metadata = new V1ObjectMeta { Name = "web" }, Spec = new V1DeploymentSpec() };
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, "default"));
        var status = StatusOf(error);
        Assert.Equal(422, status.Code);
        Assert.Equal(["spec.selector", "spec.template"], status.Details.Causes.Select(c => c.Field));
    }

    [Fact]
    public async Task Body_kind_must_match_the_path()
    {
        var body = new V1ConfigMap { ApiVersion = "v1", Kind = "Secret", Metadata = new V1ObjectMeta { Name = "x" } };
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedConfigMapAsync(body, "default"));
        Assert.Equal("BadRequest", StatusOf(error).Reason);
    }

    [Fact]
    public async Task Deleting_a_namespace_deletes_what_is_in_it()
    {
        await CreateNamespaceAsync("doomed");
        await CreateNamespaceAsync("kept");
        await Client.CoreV1.CreateNamespacedResourceQuotaAsync(Quota("q", "1"), "doomed");
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm" } }, "doomed");
        await Client.CoreV1.CreateNamespacedResourceQuotaAsync(Quota("q", "1"), "kept");

        await Client.CoreV1.DeleteNamespaceAsync("doomed");

        Assert.Empty((await Client.CoreV1.ListNamespacedResourceQuotaAsync("doomed")).Items);
        Assert.Empty((await Client.CoreV1.ListNamespacedConfigMapAsync("doomed")).Items);
        Assert.Single((await Client.CoreV1.ListNamespacedResourceQuotaAsync("kept")).Items);
        Assert.Null(Server.Get("", "namespaces", null, "doomed"));
    }

    [Fact]
    public async Task Finalizers_hold_deletion_until_removed()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "held", Finalizers = ["gocoffee.dev/cleanup"] } }, "default");

        await Client.CoreV1.DeleteNamespacedConfigMapAsync("held", "default");
        var terminating = await Client.CoreV1.ReadNamespacedConfigMapAsync("held", "default");
        Assert.NotNull(terminating.Metadata.DeletionTimestamp);

        var patch = new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(patch, "held", "default");
        await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReadNamespacedConfigMapAsync("held", "default"));
    }

    [Fact]
    public async Task Field_selector_and_paging()
    {
        for (var i = 0; i < 5; i++)
        {
            await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"cm-{i}" } }, "default");
        }
        var one = await Client.CoreV1.ListNamespacedConfigMapAsync("default", fieldSelector: "metadata.name=cm-3");
        Assert.Equal("cm-3", Assert.Single(one.Items).Metadata.Name);

        var first = await Client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 2);
        Assert.Equal(["cm-0", "cm-1"], first.Items.Select(c => c.Metadata.Name));
        Assert.Equal(3, first.Metadata.RemainingItemCount);
        var rest = await Client.CoreV1.ListNamespacedConfigMapAsync("default", continueParameter: first.Metadata.ContinueProperty);
        Assert.Equal(["cm-2", "cm-3", "cm-4"], rest.Items.Select(c => c.Metadata.Name));
        Assert.Null(rest.Metadata.ContinueProperty);
    }

    [Fact]
    public async Task Secret_string_data_is_stored_as_base64_data()
    {
        var secret = new V1Secret { Metadata = new V1ObjectMeta { Name = "db" }, StringData = new Dictionary<string, string> { ["password"] = "espresso" } };
        var created = await Client.CoreV1.CreateNamespacedSecretAsync(secret, "default");
        Assert.Null(created.StringData);
        Assert.Equal("espresso", System.Text.Encoding.UTF8.GetString(created.Data["password"]));
    }
}
