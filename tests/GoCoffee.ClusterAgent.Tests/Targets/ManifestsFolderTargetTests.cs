using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.Objects;
using GoCoffee.ClusterAgent.Targets;
using GoCoffee.ClusterAgent.Tenants;
using GoCoffee.ClusterAgent.Tests.Tenants;
using GoCoffee.Contracts;
using Microsoft.Extensions.Logging.Abstractions;
using YamlDotNet.RepresentationModel;

namespace GoCoffee.ClusterAgent.Tests.Targets;

public sealed class ManifestsFolderTargetTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"gocoffee-manifests-{Guid.NewGuid():N}");
    private readonly ManifestsFolderTarget _target;

    public ManifestsFolderTargetTests() => _target = new ManifestsFolderTarget(_root, NullLogger<ManifestsFolderTarget>.Instance);

    public void Dispose()
    {
        _target.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Each_object_is_one_file_under_its_namespace_named_by_kind_and_name()
    {
        var manifests = EnterpriseManifests();

        foreach (var manifest in manifests)
        {
            Assert.Equal(ApplyOutcome.Created, await _target.ApplyAsync(manifest));
        }

        Assert.True(File.Exists(Path.Combine(_root, "_cluster", "namespace-ent-customer-1-1.yaml")));
        Assert.True(File.Exists(Path.Combine(_root, "ent-customer-1-3", "resourcequota-gocoffee-tenant-quota.yaml")));
        Assert.True(File.Exists(Path.Combine(_root, "ent-customer-1-5", "networkpolicy-gocoffee-default-deny.yaml")));
        Assert.True(File.Exists(Path.Combine(_root, "ent-customer-1-5", "rolebinding-gocoffee-tenant-admins.yaml")));
        Assert.Equal(manifests.Count, Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public async Task Files_are_yaml_kubectl_can_apply_and_parse_back_to_the_same_object()
    {
        foreach (var manifest in EnterpriseManifests())
        {
            await _target.ApplyAsync(manifest);
        }

        foreach (var file in Directory.EnumerateFiles(_root, "*.yaml", SearchOption.AllDirectories))
        {
            var text = await File.ReadAllTextAsync(file);
            var yaml = new YamlStream();
            yaml.Load(new StringReader(text));
            var root = Assert.IsType<YamlMappingNode>(yaml.Documents.Single().RootNode);
            Assert.False(string.IsNullOrEmpty(((YamlScalarNode)root["apiVersion"]).Value));
            Assert.False(string.IsNullOrEmpty(((YamlScalarNode)root["kind"]).Value));
            var labels = (YamlMappingNode)((YamlMappingNode)root["metadata"])["labels"];
            Assert.Equal("gocoffee", ((YamlScalarNode)labels["app.kubernetes.io/managed-by"]).Value);
        }

        var quota = EnterpriseManifests().First(m => m.Kind() == ObjectKind.ResourceQuota);
        var stored = await _target.GetAsync(quota.Reference());
        Assert.True(JsonNode.DeepEquals(quota, stored), $"expected {quota.ToJsonString()}, read back {stored?.ToJsonString()}");
    }

    [Fact]
    public async Task Strings_that_yaml_would_read_as_numbers_or_booleans_stay_strings()
    {
        var manifest = ConfigMap("ent-customer-1-1", "tricky", new() { ["a"] = "4", ["b"] = "true", ["c"] = "yes", ["d"] = "n", ["e"] = "1e3", ["f"] = "" });

        await _target.ApplyAsync(manifest);

        var text = await File.ReadAllTextAsync(Path.Combine(_root, "ent-customer-1-1", "configmap-tricky.yaml"));
        Assert.Contains("\"yes\"", text, StringComparison.Ordinal);
        Assert.Contains("\"n\"", text, StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(manifest, await _target.GetAsync(manifest.Reference())));
    }

    [Fact]
    public async Task Applying_identical_content_twice_leaves_the_file_untouched()
    {
        var manifest = EnterpriseManifests()[1];
        await _target.ApplyAsync(manifest);
        var path = Directory.EnumerateFiles(_root, "*.yaml", SearchOption.AllDirectories).Single();
        var written = File.GetLastWriteTimeUtc(path);
        File.SetLastWriteTimeUtc(path, written.AddMinutes(-5));

        var again = await _target.ApplyAsync(manifest.DeepClone().AsObject());

        Assert.Equal(ApplyOutcome.Unchanged, again);
        Assert.Equal(written.AddMinutes(-5), File.GetLastWriteTimeUtc(path));
    }

    [Fact]
    public async Task Changed_content_is_rewritten_and_reported_as_configured()
    {
        var manifest = ConfigMap("ent-customer-1-1", "settings", new() { ["roast"] = "medium" });
        await _target.ApplyAsync(manifest);

        var outcome = await _target.ApplyAsync(ConfigMap("ent-customer-1-1", "settings", new() { ["roast"] = "dark" }));

        Assert.Equal(ApplyOutcome.Configured, outcome);
        Assert.Equal("dark", (string?)(await _target.GetAsync(manifest.Reference()))!["data"]!["roast"]);
    }

    [Fact]
    public async Task Delete_leaves_a_file_without_the_managed_by_label_alone()
    {
        var path = Path.Combine(_root, "ent-customer-1-1", "configmap-hand-made.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hand-made\n  namespace: ent-customer-1-1\n  labels:\n    gocoffee.dev/tenant: ent-customer-1\n");

        var outcome = await _target.DeleteAsync(new ClusterObjectRef("v1", "ConfigMap", "ent-customer-1-1", "hand-made"), "ent-customer-1");

        Assert.Equal(DeleteOutcome.NotManaged, outcome);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task Delete_leaves_another_tenants_object_alone()
    {
        var manifest = ConfigMap("ent-customer-1-1", "settings", new() { ["roast"] = "medium" });
        await _target.ApplyAsync(manifest);

        Assert.Equal(DeleteOutcome.NotManaged, await _target.DeleteAsync(manifest.Reference(), "someone-else"));
        Assert.Equal(DeleteOutcome.Deleted, await _target.DeleteAsync(manifest.Reference(), "ent-customer-1"));
        Assert.Equal(DeleteOutcome.NotFound, await _target.DeleteAsync(manifest.Reference(), "ent-customer-1"));
        Assert.Null(await _target.GetAsync(manifest.Reference()));
    }

    [Fact]
    public async Task Deleting_a_namespace_removes_what_is_in_it_as_kubernetes_does()
    {
        foreach (var manifest in EnterpriseManifests())
        {
            await _target.ApplyAsync(manifest);
        }

        var outcome = await _target.DeleteAsync(new ClusterObjectRef("v1", "Namespace", null, "ent-customer-1-2"), "ent-customer-1");

        Assert.Equal(DeleteOutcome.Deleted, outcome);
        Assert.False(Directory.Exists(Path.Combine(_root, "ent-customer-1-2")));
        Assert.True(Directory.Exists(Path.Combine(_root, "ent-customer-1-3")));
    }

    [Fact]
    public async Task Listing_finds_only_the_tenants_objects()
    {
        foreach (var manifest in EnterpriseManifests().Concat(EnterpriseManifests("other-tenant", namespaces: 1)))
        {
            await _target.ApplyAsync(manifest);
        }

        var managed = await _target.ListManagedAsync("ent-customer-1");
        var namespaces = await _target.ListAsync(ObjectKind.Namespace, null, PlatformLabels.ForTenant("ent-customer-1"));
        var quotas = await _target.ListAsync(ObjectKind.ResourceQuota, "ent-customer-1-4", null);

        Assert.Equal(EnterpriseManifests().Count, managed.Count);
        Assert.All(managed, manifest => Assert.True(manifest.IsManagedFor("ent-customer-1")));
        Assert.Equal(5, namespaces.Count);
        Assert.Equal("ent-customer-1-4", Assert.Single(quotas).Reference().Namespace);
    }

    [Fact]
    public async Task Scaling_sets_replicas_and_annotations_and_removes_null_ones()
    {
        var deployment = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = new JsonObject { ["name"] = "barista", ["namespace"] = "ent-customer-1-1" },
            ["spec"] = new JsonObject { ["replicas"] = 3 },
        };
        await _target.ApplyAsync(deployment);

        var suspended = await _target.ScaleAsync(deployment.Reference(), 0, new Dictionary<string, string?> { ["gocoffee.dev/replicas-before-suspend"] = "3" });
        var stored = await _target.GetAsync(deployment.Reference());

        Assert.Equal(0, (int?)stored!["spec"]!["replicas"]);
        Assert.Equal("3", stored.Annotations()["gocoffee.dev/replicas-before-suspend"]);
        Assert.True(JsonNode.DeepEquals(suspended, stored));

        await _target.ScaleAsync(deployment.Reference(), 3, new Dictionary<string, string?> { ["gocoffee.dev/replicas-before-suspend"] = null });
        stored = await _target.GetAsync(deployment.Reference());
        Assert.Equal(3, (int?)stored!["spec"]!["replicas"]);
        Assert.Empty(stored.Annotations());
    }

    [Fact]
    public async Task A_name_that_is_not_a_kubernetes_name_is_refused_and_never_leaves_the_folder()
    {
        var manifest = ConfigMap("ent-customer-1-1", "../../escape", new() { ["a"] = "b" });

        var refused = await Assert.ThrowsAsync<ClusterRequestFailedException>(() => _target.ApplyAsync(manifest));

        Assert.Equal(422, refused.StatusCode);
        Assert.False(refused.Transient);
        Assert.Contains("metadata.name", refused.Reason, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_root) && Directory.EnumerateFiles(Path.GetDirectoryName(_root)!, "*escape*").Any());
    }

    private static List<JsonObject> EnterpriseManifests(string tenantId = SeedTenants.EnterpriseId, int namespaces = 5) =>
        TenantObjects.For(SeedTenants.Enterprise(tenantId, namespaces), new TenantNetworkOptions()).Select(Manifest.From).ToList();

    private static JsonObject ConfigMap(string ns, string name, Dictionary<string, string> data) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["labels"] = new JsonObject(PlatformLabels.ForTenant(SeedTenants.EnterpriseId).Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))),
        },
        ["data"] = new JsonObject(data.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)d.Value))),
    };
}
