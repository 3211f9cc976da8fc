using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.Objects;
using GoCoffee.ClusterAgent.Targets;
using GoCoffee.ClusterAgent.Tenants;
using GoCoffee.ClusterAgent.Tests.Support;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Cluster;

namespace GoCoffee.ClusterAgent.Tests.Tenants;

/// <summary>The cluster-agent's own invariants, whoever sent the command: refused commands touch nothing.</summary>
public sealed class TenantInvariantsTests : IAsyncLifetime
{
    private readonly ScratchManifests _folder = new();
    private ConsumerHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await ConsumerHarness.Start(_folder.Target);

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        _folder.Dispose();
    }

    [Theory]
    [InlineData("kube-system")]
    [InlineData("default")]
    [InlineData("gocoffee-platform")]
    [InlineData("ent-customer-2-1")]
    [InlineData("ent-customer-1")]
    [InlineData("ent-customer-1-0")]
    [InlineData("ent-customer-1-x")]
    public async Task A_plan_with_a_namespace_that_is_not_tenantId_dash_n_is_refused_and_nothing_is_written(string ns)
    {
        var plan = SeedTenants.Enterprise(namespaces: 2);
        plan = plan with { Namespaces = [plan.Namespaces[0], plan.Namespaces[1] with { Name = ns }] };

        var refused = await _harness.Answer<TenantClusterStepFailed>(new ProvisionTenantNamespaces(Guid.NewGuid(), plan));

        Assert.Equal(403, refused.StatusCode);
        Assert.Equal(new ClusterObjectRef("v1", "Namespace", null, ns), refused.FailedObject);
        Assert.False(Directory.Exists(_folder.Root) && Directory.EnumerateFileSystemEntries(_folder.Root).Any(), "nothing was written");
    }

    [Theory]
    [InlineData("group:system:authenticated")]
    [InlineData("group:system:masters")]
    [InlineData("user:system:admin")]
    [InlineData("system:serviceaccount:kube-system:default")]
    public async Task A_plan_whose_owners_name_a_kubernetes_system_subject_is_refused(string owner)
    {
        var plan = SeedTenants.Enterprise(namespaces: 1, owners: ["ana@ent-customer-1.example", owner]);

        var refused = await _harness.Answer<TenantClusterStepFailed>(new ProvisionTenantNamespaces(Guid.NewGuid(), plan));

        Assert.Equal(403, refused.StatusCode);
        Assert.Contains(owner, refused.Message, StringComparison.Ordinal);
        Assert.Empty(await _folder.Target.ListManagedAsync(SeedTenants.EnterpriseId));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("kube-public")]
    [InlineData("default")]
    [InlineData("gocoffee")]
    [InlineData("Not_A_Label")]
    public async Task A_missing_or_reserved_tenant_id_is_refused_by_every_command(string? tenantId)
    {
        foreach (var manifest in ScratchManifests.TenantManifests(namespaces: 1))
        {
            await _folder.Target.ApplyAsync(manifest);
        }

        var plan = SeedTenants.Enterprise(namespaces: 1) with { TenantId = tenantId! };
        var namespaceObject = new ClusterObjectRef("v1", "Namespace", null, "ent-customer-1-1");

        Assert.Equal(403, (await _harness.Answer<TenantClusterStepFailed>(new ProvisionTenantNamespaces(Guid.NewGuid(), plan))).StatusCode);
        Assert.Equal(403, (await _harness.Answer<TenantClusterStepFailed>(new DeleteTenantObjects(Guid.NewGuid(), tenantId!, [namespaceObject]))).StatusCode);
        Assert.Equal(403, (await _harness.Answer<TenantClusterStepFailed>(new PlanTenantDeletion(Guid.NewGuid(), tenantId!))).StatusCode);
        Assert.Equal(403, (await _harness.Answer<TenantClusterStepFailed>(new ScaleTenantWorkloads(Guid.NewGuid(), tenantId!, ["ent-customer-1-1"], Suspend: true))).StatusCode);
        Assert.NotNull(await _folder.Target.GetAsync(namespaceObject));
    }

    [Theory]
    [InlineData("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", null, "cluster-admin-for-me")]
    [InlineData("v1", "Secret", null, "not-namespaced")]
    [InlineData("v1", "Node", null, "worker-1")]
    [InlineData("v1", "Secret", "kube-system", "bootstrap-token")]
    [InlineData("apps/v1", "DaemonSet", "ent-customer-1-1", "unknown-kind")]
    public async Task Deleting_an_unknown_kind_or_anything_outside_the_tenants_namespaces_is_refused(string apiVersion, string kind, string? ns, string name)
    {
        var target = new ClusterObjectRef(apiVersion, kind, ns, name);

        var refused = await _harness.Answer<TenantClusterStepFailed>(new DeleteTenantObjects(Guid.NewGuid(), SeedTenants.EnterpriseId, [target]));

        Assert.Equal(403, refused.StatusCode);
        Assert.Equal(target, refused.FailedObject);
    }

    [Fact]
    public async Task An_existing_object_without_the_tenants_labels_is_never_adopted_by_an_apply()
    {
        var customers = ScratchManifests.Workload("Deployment", "ent-customer-1-1", "gocoffee-tenant-admin", 1);
        await _folder.Target.ApplyAsync(customers);
        var other = ScratchManifests.TenantManifests("other-tenant", namespaces: 1)[0];
        await _folder.Target.ApplyAsync(other);

        // The same names, now labelled for ent-customer-1: one was the customer's, the other another tenant's.
        var mine = ScratchManifests.Workload("Deployment", "ent-customer-1-1", "gocoffee-tenant-admin", 1, PlatformLabels.ForTenant(SeedTenants.EnterpriseId));
        var stolen = other.DeepClone().AsObject();
        stolen["metadata"]!["labels"] = new JsonObject { [PlatformLabels.ManagedBy] = PlatformLabels.ManagedByPlatform, [PlatformLabels.Tenant] = SeedTenants.EnterpriseId };

        foreach (var manifest in new[] { mine, stolen })
        {
            var refused = await Assert.ThrowsAsync<ClusterRequestFailedException>(() => _folder.Target.ApplyAsync(manifest));
            Assert.Equal(409, refused.StatusCode);
            Assert.Contains("does not adopt", refused.Reason, StringComparison.Ordinal);
        }

        Assert.False((await _folder.Target.GetAsync(customers.Reference()))!.IsManagedFor(SeedTenants.EnterpriseId));
        Assert.True((await _folder.Target.GetAsync(other.Reference()))!.IsManagedFor("other-tenant"));
    }

    [Theory]
    [InlineData("../../../tmp/escaped", "name")]
    [InlineData("Deployment/../../../../tmp", "escaped")]
    [InlineData("Deployment", "../../escaped")]
    [InlineData("Deployment", "a/../../escaped")]
    public async Task The_manifests_folder_never_writes_outside_its_folder(string kind, string name)
    {
        var manifest = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "ent-customer-1-1", ["labels"] = new JsonObject(PlatformLabels.ForTenant(SeedTenants.EnterpriseId).Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))) },
        };
        var outside = Directory.GetParent(_folder.Root)!.FullName;
        var before = Directory.EnumerateFileSystemEntries(outside).Count(entry => entry.Contains("escaped", StringComparison.Ordinal));

        var refused = await Assert.ThrowsAsync<ClusterRequestFailedException>(() => _folder.Target.ApplyAsync(manifest));

        Assert.Equal(422, refused.StatusCode);
        Assert.Equal(before, Directory.EnumerateFileSystemEntries(outside).Count(entry => entry.Contains("escaped", StringComparison.Ordinal)));
        Assert.Equal(DeleteOutcome.NotFound, await _folder.Target.DeleteAsync(manifest.Reference(), SeedTenants.EnterpriseId));
    }
}
