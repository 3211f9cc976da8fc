using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.Objects;
using GoCoffee.ClusterAgent.Targets;
using GoCoffee.ClusterAgent.Tests.Support;
using GoCoffee.Contracts;
using GoCoffee.FakeKubernetes;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;

namespace GoCoffee.ClusterAgent.Tests.Targets;

/// <summary>
/// The Kubernetes target against the in-process fake API server (real HTTP, the real client, server-side apply,
/// Status errors). A real cluster's admission plugins and controllers are not there: these tests pin the protocol.
/// </summary>
public sealed class KubernetesApiTargetTests : IAsyncLifetime
{
    private static readonly KubernetesRequestOptions FastRetries = new()
    {
        RetryAttempts = 3,
        RetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromMilliseconds(50),
        RequestTimeout = TimeSpan.FromSeconds(10),
    };

    private FakeKubernetesServer _server = null!;
    private Kubernetes _client = null!;
    private KubernetesApiTarget _target = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeKubernetesServer.StartAsync();
        _client = new Kubernetes(new KubernetesClientConfiguration { Host = _server.BaseUri.ToString() });
        _target = new KubernetesApiTarget(_client, FastRetries, NullLogger<KubernetesApiTarget>.Instance);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Applying_the_same_objects_twice_leaves_their_resource_versions_unchanged()
    {
        var manifests = ScratchManifests.TenantManifests(namespaces: 1);

        var first = new List<ApplyOutcome>();
        foreach (var manifest in manifests)
        {
            first.Add(await _target.ApplyAsync(manifest));
        }

        var versions = manifests.Select(m => m.Reference()).ToDictionary(r => r, r => Stored(r)!.ResourceVersion());

        var second = new List<ApplyOutcome>();
        foreach (var manifest in manifests)
        {
            second.Add(await _target.ApplyAsync(manifest.DeepClone().AsObject()));
        }

        Assert.All(first, outcome => Assert.Equal(ApplyOutcome.Created, outcome));
        Assert.All(second, outcome => Assert.Equal(ApplyOutcome.Unchanged, outcome));
        Assert.All(versions, entry => Assert.Equal(entry.Value, Stored(entry.Key)!.ResourceVersion()));
    }

    [Fact]
    public async Task A_command_delivered_again_skips_the_objects_it_already_applied_and_a_new_command_applies_them()
    {
        var manifests = ScratchManifests.TenantManifests(namespaces: 1);
        var first = Guid.NewGuid();
        foreach (var manifest in manifests)
        {
            Assert.Equal(ApplyOutcome.Created, await _target.ApplyAsync(manifest.DeepClone().AsObject().ForCommand(first)));
        }

        // The same command again (a redelivery after a crash before its acknowledgement): nothing reaches the server.
        foreach (var manifest in manifests)
        {
            Assert.Equal(ApplyOutcome.Unchanged, await _target.ApplyAsync(manifest.DeepClone().AsObject().ForCommand(first)));
        }

        Assert.All(_server.ServerSideApplies.Values, count => Assert.Equal(1, count));
        Assert.Equal(manifests.Count, _server.ServerSideApplies.Count);
        Assert.All(manifests, m => Assert.Equal(first.ToString("N"), Stored(m.Reference())!.AppliedByCommand()));

        // A later command applies every object, and marks it as its own.
        var second = Guid.NewGuid();
        foreach (var manifest in manifests)
        {
            await _target.ApplyAsync(manifest.DeepClone().AsObject().ForCommand(second));
        }

        Assert.All(_server.ServerSideApplies.Values, count => Assert.Equal(2, count));
        Assert.All(manifests, m => Assert.Equal(second.ToString("N"), Stored(m.Reference())!.AppliedByCommand()));
    }

    [Fact]
    public async Task Objects_are_server_side_applied_by_the_platforms_field_manager_with_force()
    {
        var quota = ScratchManifests.TenantManifests(namespaces: 1).Take(2).ToList();
        await _target.ApplyAsync(quota[0]);
        _server.ClearRequests();

        await _target.ApplyAsync(quota[1]);

        var patch = Assert.Single(_server.Requests, r => r.Verb == "patch");
        Assert.StartsWith("application/apply-patch+yaml", patch.ContentType, StringComparison.Ordinal);
        Assert.Equal("gocoffee-cluster-agent", patch.Query["fieldManager"]);
        Assert.Equal("true", patch.Query["force"]);
        var managers = Stored(quota[1].Reference())!["metadata"]!["managedFields"]!.AsArray().Select(f => (string?)f!["manager"]);
        Assert.Contains("gocoffee-cluster-agent", managers);
    }

    [Fact]
    public async Task A_changed_object_is_reported_as_configured()
    {
        var quota = ScratchManifests.TenantManifests(namespaces: 1).Take(2).ToList();
        await _target.ApplyAsync(quota[0]);
        await _target.ApplyAsync(quota[1]);
        quota[1]["spec"]!["hard"]!["pods"] = "60";

        Assert.Equal(ApplyOutcome.Configured, await _target.ApplyAsync(quota[1]));
        Assert.Equal("60", (string?)Stored(quota[1].Reference())!["spec"]!["hard"]!["pods"]);
    }

    [Fact]
    public async Task A_refused_object_surfaces_the_api_servers_message_and_the_object_without_retrying()
    {
        var manifests = ScratchManifests.TenantManifests(namespaces: 1);
        await _target.ApplyAsync(manifests[0]);
        var policy = manifests.First(m => m.Kind() == ObjectKind.NetworkPolicy);
        using var _ = _server.FailNext("patch", "networkpolicies", 422, "NetworkPolicy.networking.k8s.io \"gocoffee-default-deny\" is invalid: spec.podSelector: Required value");
        _server.ClearRequests();

        var refused = await Assert.ThrowsAsync<ClusterRequestFailedException>(() => _target.ApplyAsync(policy));

        Assert.Equal(policy.Reference(), refused.Target);
        Assert.Equal(422, refused.StatusCode);
        Assert.False(refused.Transient);
        Assert.Equal("NetworkPolicy.networking.k8s.io \"gocoffee-default-deny\" is invalid: spec.podSelector: Required value", refused.Reason);
        Assert.Single(_server.Requests, r => r.Verb == "patch");
    }

    [Theory]
    [InlineData(403, "namespaces is forbidden: User \"system:serviceaccount:go-coffee:cluster-agent\" cannot patch resource \"namespaces\"")]
    [InlineData(409, "Apply failed with 1 conflict: conflict with \"kubectl\": .metadata.labels.gocoffee.dev/tier")]
    public async Task Forbidden_and_conflict_answers_are_not_retried_either(int status, string message)
    {
        var ns = ScratchManifests.TenantManifests(namespaces: 1)[0];
        using var refusal = _server.FailNext("patch", "namespaces", status, message);

        var refused = await Assert.ThrowsAsync<ClusterRequestFailedException>(() => _target.ApplyAsync(ns));

        Assert.Equal(status, refused.StatusCode);
        Assert.Equal(message, refused.Reason);
        Assert.False(refused.Transient);
        Assert.Single(_server.Requests, r => r.Verb == "patch");
    }

    [Fact]
    public async Task Transient_unavailability_is_retried_until_the_apply_succeeds()
    {
        var ns = ScratchManifests.TenantManifests(namespaces: 1)[0];
        using var _ = _server.FailNext("patch", "namespaces", 503, times: 2);

        var outcome = await _target.ApplyAsync(ns);

        Assert.Equal(ApplyOutcome.Created, outcome);
        Assert.Equal(3, _server.Requests.Count(r => r.Verb == "patch"));
        Assert.NotNull(Stored(ns.Reference()));
    }

    [Fact]
    public async Task Throttling_is_retried_as_well()
    {
        var ns = ScratchManifests.TenantManifests(namespaces: 1)[0];
        using var _ = _server.FailNext("get", "namespaces", 429, times: 1);

        Assert.Equal(ApplyOutcome.Created, await _target.ApplyAsync(ns));
        Assert.Equal(2, _server.Requests.Count(r => r.Verb == "get"));
    }

    [Fact]
    public async Task Unavailability_that_outlasts_the_retries_is_reported_as_transient()
    {
        var ns = ScratchManifests.TenantManifests(namespaces: 1)[0];
        using var _ = _server.FailNext("patch", "namespaces", 503, "etcd leader changed", times: 100);

        var failed = await Assert.ThrowsAsync<ClusterRequestFailedException>(() => _target.ApplyAsync(ns));

        Assert.Equal(503, failed.StatusCode);
        Assert.True(failed.Transient);
        Assert.Equal("etcd leader changed", failed.Reason);
        Assert.Equal(FastRetries.RetryAttempts + 1, _server.Requests.Count(r => r.Verb == "patch"));
    }

    [Fact]
    public async Task An_api_server_that_does_not_answer_is_reported_with_status_zero()
    {
        await using var gone = await FakeKubernetesServer.StartAsync();
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = gone.BaseUri.ToString() });
        var target = new KubernetesApiTarget(client, FastRetries, NullLogger<KubernetesApiTarget>.Instance);
        await gone.DisposeAsync();

        var failed = await Assert.ThrowsAsync<ClusterRequestFailedException>(() => target.GetAsync(new ClusterObjectRef("v1", "Namespace", null, "anything")));

        Assert.Equal(0, failed.StatusCode);
        Assert.True(failed.Transient);
    }

    [Fact]
    public async Task Delete_leaves_an_object_without_the_managed_by_label_alone()
    {
        _server.Seed(ConfigMap("hand-made", labels: new() { [PlatformLabels.Tenant] = "ent-customer-1" }));
        var reference = new ClusterObjectRef("v1", "ConfigMap", "default", "hand-made");

        var outcome = await _target.DeleteAsync(reference, "ent-customer-1");

        Assert.Equal(DeleteOutcome.NotManaged, outcome);
        Assert.NotNull(_server.Get("configmaps", "default", "hand-made"));
        Assert.DoesNotContain(_server.Requests, r => r.Verb == "delete");
    }

    [Fact]
    public async Task Delete_removes_the_tenants_object_and_leaves_another_tenants_alone()
    {
        _server.Seed(ConfigMap("ours", PlatformLabels.ForTenant("ent-customer-1")));
        _server.Seed(ConfigMap("theirs", PlatformLabels.ForTenant("other-tenant")));

        Assert.Equal(DeleteOutcome.Deleted, await _target.DeleteAsync(new ClusterObjectRef("v1", "ConfigMap", "default", "ours"), "ent-customer-1"));
        Assert.Equal(DeleteOutcome.NotFound, await _target.DeleteAsync(new ClusterObjectRef("v1", "ConfigMap", "default", "ours"), "ent-customer-1"));
        Assert.Equal(DeleteOutcome.NotManaged, await _target.DeleteAsync(new ClusterObjectRef("v1", "ConfigMap", "default", "theirs"), "ent-customer-1"));
        Assert.Null(_server.Get("configmaps", "default", "ours"));
        Assert.NotNull(_server.Get("configmaps", "default", "theirs"));
    }

    [Fact]
    public async Task An_object_relabelled_between_the_check_and_the_delete_is_left_alone()
    {
        _server.Seed(ConfigMap("contested", PlatformLabels.ForTenant("ent-customer-1")));
        var relabelled = false;

        // Someone takes the object over just as the delete goes out: the resourceVersion precondition catches it.
        using var _ = _server.InjectFailure(request =>
        {
            if (request.Verb == "delete" && !relabelled)
            {
                relabelled = true;
                _server.Mutate("configmaps", "default", "contested", o => o["metadata"]!["labels"]!.AsObject().Remove(PlatformLabels.ManagedBy));
            }

            return null;
        });

        var outcome = await _target.DeleteAsync(new ClusterObjectRef("v1", "ConfigMap", "default", "contested"), "ent-customer-1");

        Assert.Equal(DeleteOutcome.NotManaged, outcome);
        Assert.NotNull(_server.Get("configmaps", "default", "contested"));
    }

    [Fact]
    public async Task Listing_what_the_platform_manages_finds_the_tenants_objects_in_every_namespace()
    {
        foreach (var manifest in ScratchManifests.TenantManifests(namespaces: 2).Concat(ScratchManifests.TenantManifests("other-tenant", namespaces: 1)))
        {
            await _target.ApplyAsync(manifest);
        }

        _server.Seed(ConfigMap("hand-made", labels: null, ns: "ent-customer-1-1"));

        var managed = await _target.ListManagedAsync("ent-customer-1");

        var expected = ScratchManifests.TenantManifests(namespaces: 2).Select(Manifest.Reference).Select(r => r.ToString()).Order();
        Assert.Equal(expected, managed.Select(m => m.Reference().ToString()).Order());
    }

    [Fact]
    public async Task Scaling_sets_replicas_and_the_remembered_count_in_one_change_and_can_forget_it()
    {
        _server.Seed(ScratchManifests.Workload("Deployment", "default", "barista", 3));
        var barista = new ClusterObjectRef("apps/v1", "Deployment", "default", "barista");

        await _target.ScaleAsync(barista, 0, new Dictionary<string, string?> { ["gocoffee.dev/replicas-before-suspend"] = "3" });
        var suspended = _server.Get("deployments.apps", "default", "barista")!;
        await _target.ScaleAsync(barista, 3, new Dictionary<string, string?> { ["gocoffee.dev/replicas-before-suspend"] = null });
        var resumed = _server.Get("deployments.apps", "default", "barista")!;

        Assert.Equal(0, (int?)suspended["spec"]!["replicas"]);
        Assert.Equal("3", suspended.Annotations()["gocoffee.dev/replicas-before-suspend"]);
        Assert.Equal(3, (int?)resumed["spec"]!["replicas"]);
        Assert.False(resumed.Annotations().ContainsKey("gocoffee.dev/replicas-before-suspend"));
        Assert.Null(await _target.ScaleAsync(barista with { Name = "missing" }, 1, new Dictionary<string, string?>()));
    }

    private JsonObject? Stored(ClusterObjectRef reference) =>
        _server.Get(reference.Kind, reference.Namespace, reference.Name);

    private static JsonObject ConfigMap(string name, Dictionary<string, string>? labels, string ns = "default")
    {
        var metadata = new JsonObject { ["name"] = name, ["namespace"] = ns };
        if (labels is not null)
        {
            metadata["labels"] = new JsonObject(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)));
        }

        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = metadata, ["data"] = new JsonObject { ["roast"] = "medium" } };
    }
}
