using k8s.Autorest;
using k8s.Models;

namespace GoCoffee.FakeKubernetes.Tests;

public sealed class ServerSideApplyTests : FakeClusterTest
{
    // KubernetesClient sends a string V1Patch body as raw JSON, so the applied configuration is JSON here
    // (the server also takes YAML; see Apply_accepts_yaml_bodies).
    private const string QuotaJson = """
        {
          "apiVersion": "v1",
          "kind": "ResourceQuota",
          "metadata": { "name": "compute", "namespace": "default", "labels": { "tier": "gold" } },
          "spec": { "hard": { "cpu": "2", "memory": "4Gi" } }
        }
        """;

    private Task<V1ResourceQuota> ApplyAsync(string body, string manager = "tenant-operator", bool? force = true) =>
        Client.CoreV1.PatchNamespacedResourceQuotaAsync(
            new V1Patch(body, V1Patch.PatchType.ApplyPatch), "compute", "default", fieldManager: manager, force: force);

    [Fact]
    public async Task Apply_creates_then_reapplying_changes_nothing()
    {
        var created = await ApplyAsync(QuotaJson);
        Assert.Equal("4Gi", created.Spec.Hard["memory"].ToString());
        var entry = Assert.Single(created.Metadata.ManagedFields);
        Assert.Equal("tenant-operator", entry.Manager);
        Assert.Equal("Apply", entry.Operation);
        Assert.Equal("FieldsV1", entry.FieldsType);

        var again = await ApplyAsync(QuotaJson);
        Assert.Equal(created.Metadata.ResourceVersion, again.Metadata.ResourceVersion);
        Assert.Equal(created.Metadata.Generation, again.Metadata.Generation);
    }

    [Fact]
    public async Task Every_apply_carried_out_is_counted_per_object_also_one_that_changes_nothing_but_not_refused_or_dry_ones()
    {
        await ApplyAsync(QuotaJson);
        await ApplyAsync(QuotaJson);
        await Client.CoreV1.PatchNamespacedResourceQuotaAsync(
            new V1Patch(QuotaJson, V1Patch.PatchType.ApplyPatch), "compute", "default", fieldManager: "tenant-operator", dryRun: "All");
        using (Server.FailNext("patch", "resourcequotas", 500))
        {
            await Assert.ThrowsAsync<HttpOperationException>(() => ApplyAsync(QuotaJson));
        }

        var counted = Assert.Single(Server.ServerSideApplies);
        Assert.Equal(new AppliedObject("", "resourcequotas", "default", "compute", null), counted.Key);
        Assert.Equal(2, counted.Value);

        Server.ClearServerSideApplies();
        Assert.Empty(Server.ServerSideApplies);
    }

    [Fact]
    public async Task Apply_with_a_typed_object_is_json_and_works_too()
    {
        var quota = Quota("compute", "1");
        quota.ApiVersion = "v1";
        quota.Kind = "ResourceQuota";
        var first = await Client.CoreV1.PatchNamespacedResourceQuotaAsync(
            new V1Patch(quota, V1Patch.PatchType.ApplyPatch), "compute", "default", fieldManager: "x", force: true);
        var second = await Client.CoreV1.PatchNamespacedResourceQuotaAsync(
            new V1Patch(quota, V1Patch.PatchType.ApplyPatch), "compute", "default", fieldManager: "x", force: true);
        Assert.Equal(first.Metadata.ResourceVersion, second.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Fields_dropped_from_the_applied_configuration_are_removed()
    {
        await ApplyAsync(QuotaJson);
        var smaller = await ApplyAsync(QuotaJson
            .Replace(", \"memory\": \"4Gi\"", "", StringComparison.Ordinal)
            .Replace(", \"labels\": { \"tier\": \"gold\" }", "", StringComparison.Ordinal));
        Assert.False(smaller.Spec.Hard.ContainsKey("memory"));
        Assert.Null(smaller.Metadata.Labels);
        Assert.Equal(2, smaller.Metadata.Generation);
    }

    [Fact]
    public async Task Apply_requires_a_field_manager()
    {
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => ApplyAsync(QuotaJson, manager: null!));
        var status = StatusOf(error);
        Assert.Equal(422, status.Code);
        Assert.Equal("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch", status.Message);
        Assert.Equal(("Invalid", "PatchOptions", "meta.k8s.io"), (status.Reason, status.Details.Kind, status.Details.Group));
    }

    [Fact]
    public async Task Changing_a_field_another_manager_owns_conflicts_unless_forced()
    {
        await ApplyAsync(QuotaJson, manager: "platform");
        var mine = QuotaJson.Replace("\"cpu\": \"2\"", "\"cpu\": \"8\"", StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => ApplyAsync(mine, manager: "tenant-operator", force: false));
        var status = StatusOf(error);
        Assert.Equal(409, status.Code);
        Assert.Equal("Conflict", status.Reason);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"platform\": .spec.hard.cpu", status.Message);

        var forced = await ApplyAsync(mine, manager: "tenant-operator", force: true);
        Assert.Equal("8", forced.Spec.Hard["cpu"].ToString());
        var platform = forced.Metadata.ManagedFields.Single(m => m.Manager == "platform");
        Assert.DoesNotContain("f:cpu", platform.FieldsV1.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Creating_with_a_post_makes_the_creator_an_update_manager_that_apply_conflicts_with()
    {
        await Client.CoreV1.CreateNamespacedResourceQuotaAsync(Quota("compute", "1"), "default", fieldManager: "installer");

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => ApplyAsync(QuotaJson, force: false));
        Assert.Equal("Apply failed with 1 conflict: conflict with \"installer\" using v1: .spec.hard.cpu", StatusOf(error).Message);

        // Clearing managedFields (the documented "[{}]" reset) leaves nobody to conflict with.
        var reset = new V1Patch("""[{"op":"replace","path":"/metadata/managedFields","value":[{}]}]""", V1Patch.PatchType.JsonPatch);
        var cleared = await Client.CoreV1.PatchNamespacedResourceQuotaAsync(reset, "compute", "default");
        Assert.Null(cleared.Metadata.ManagedFields);
        var applied = await ApplyAsync(QuotaJson, force: false);
        Assert.Equal("2", applied.Spec.Hard["cpu"].ToString());
    }

    [Fact]
    public async Task Applying_the_same_value_as_another_manager_shares_ownership()
    {
        await ApplyAsync(QuotaJson, manager: "platform");
        var shared = await ApplyAsync(QuotaJson, manager: "tenant-operator", force: false);
        Assert.Equal(["platform", "tenant-operator"], shared.Metadata.ManagedFields.Select(m => m.Manager));
    }

    [Fact]
    public async Task Apply_to_the_main_resource_ignores_status()
    {
        var withStatus = QuotaJson.Replace("\"spec\":", "\"status\": { \"used\": { \"cpu\": \"1\" } }, \"spec\":", StringComparison.Ordinal);
        var applied = await ApplyAsync(withStatus);
        Assert.Null(applied.Status?.Used);
    }

    [Fact]
    public async Task Apply_accepts_yaml_bodies()
    {
        using var http = new HttpClient { BaseAddress = Server.BaseUri };
        const string yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: from-yaml
            data:
              enabled: "true"
            """;
        var path = "api/v1/namespaces/default/configmaps/from-yaml?fieldManager=yaml-test";
        using var request = new HttpRequestMessage(HttpMethod.Patch, path)
        {
            Content = new StringContent(yaml, System.Text.Encoding.UTF8, "application/apply-patch+yaml"),
        };
        using var response = await http.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("true", (await Client.CoreV1.ReadNamespacedConfigMapAsync("from-yaml", "default")).Data["enabled"]);
    }
}
