using GoCoffee.ClusterAgent.Objects;
using GoCoffee.ClusterAgent.Tests.Support;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Cluster;

namespace GoCoffee.ClusterAgent.Tests.Deletion;

public sealed class TenantDeletionConsumersTests : IAsyncLifetime
{
    private static readonly ClusterObjectRef HandMade = new("apps/v1", "Deployment", "ent-customer-1-1", "hand-made");

    private readonly ScratchManifests _folder = new();
    private ConsumerHarness _harness = null!;

    public async Task InitializeAsync()
    {
        _harness = await ConsumerHarness.Start(_folder.Target);
        foreach (var manifest in ScratchManifests.TenantManifests(namespaces: 2).Concat(ScratchManifests.TenantManifests("other-tenant", namespaces: 1)))
        {
            await _folder.Target.ApplyAsync(manifest);
        }

        await _folder.Target.ApplyAsync(ScratchManifests.Workload("Deployment", "ent-customer-1-1", "hand-made", 1));
    }

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task Deletion_plan_lists_only_the_tenants_platform_objects_with_namespaces_last()
    {
        var planned = await _harness.Answer<TenantDeletionPlanned>(new PlanTenantDeletion(Guid.NewGuid(), "ent-customer-1"));

        var expected = ScratchManifests.TenantManifests(namespaces: 2).Select(Manifest.Reference).ToList();
        Assert.Equal(expected.Select(r => r.ToString()).Order(), planned.Objects.Select(r => r.ToString()).Order());
        Assert.DoesNotContain(HandMade, planned.Objects);
        Assert.All(planned.Objects.TakeLast(2), o => Assert.Equal("Namespace", o.Kind));
        Assert.All(planned.Objects.SkipLast(2), o => Assert.NotNull(o.Namespace));
    }

    [Fact]
    public async Task Deleting_removes_the_planned_objects_and_skips_one_that_lost_the_platforms_label()
    {
        var planned = await _harness.Answer<TenantDeletionPlanned>(new PlanTenantDeletion(Guid.NewGuid(), "ent-customer-1"));
        var quota = planned.Objects.First(o => o.Kind == "ResourceQuota");
        var relabelled = (await _folder.Target.GetAsync(quota))!;
        relabelled["metadata"]!["labels"]!.AsObject().Remove(PlatformLabels.ManagedBy);
        await _folder.Target.ApplyAsync(relabelled);

        var deleted = await _harness.Answer<TenantObjectsDeleted>(new DeleteTenantObjects(Guid.NewGuid(), "ent-customer-1", planned.Objects));

        Assert.Equal([quota], deleted.Skipped);
        Assert.Equal(planned.Objects.Where(o => o != quota), deleted.Deleted);
        Assert.Empty(await _folder.Target.ListManagedAsync("ent-customer-1"));
        Assert.NotEmpty(await _folder.Target.ListManagedAsync("other-tenant"));
    }

    [Fact]
    public async Task Deleting_namespaced_objects_goes_before_their_namespaces_whatever_the_order_asked()
    {
        var planned = await _harness.Answer<TenantDeletionPlanned>(new PlanTenantDeletion(Guid.NewGuid(), "ent-customer-1"));

        var deleted = await _harness.Answer<TenantObjectsDeleted>(new DeleteTenantObjects(Guid.NewGuid(), "ent-customer-1", [.. planned.Objects.Reverse()]));

        Assert.All(deleted.Deleted.TakeLast(2), o => Assert.Equal("Namespace", o.Kind));
        Assert.Equal(planned.Objects.Count, deleted.Deleted.Count);
    }

    [Fact]
    public async Task A_redelivered_delete_gives_the_same_answer()
    {
        var planned = await _harness.Answer<TenantDeletionPlanned>(new PlanTenantDeletion(Guid.NewGuid(), "ent-customer-1"));
        var command = new DeleteTenantObjects(Guid.NewGuid(), "ent-customer-1", planned.Objects);

        var first = await _harness.Answer<TenantObjectsDeleted>(command);
        var again = await _harness.Answer<TenantObjectsDeleted>(command);

        Assert.Equal(first.Deleted, again.Deleted);
        Assert.Equal(first.Skipped, again.Skipped);
    }

    [Fact]
    public async Task A_command_naming_another_tenants_namespace_is_refused_and_deletes_nothing()
    {
        var otherNamespace = new ClusterObjectRef("v1", "Namespace", null, "other-tenant-1");
        var quota = new ClusterObjectRef("v1", "ResourceQuota", "ent-customer-1-1", "gocoffee-tenant-quota");

        var refused = await _harness.Answer<TenantClusterStepFailed>(new DeleteTenantObjects(Guid.NewGuid(), "ent-customer-1", [quota, HandMade, otherNamespace]));

        Assert.Equal(403, refused.StatusCode);
        Assert.Equal(otherNamespace, refused.FailedObject);
        Assert.Empty(refused.RemovedObjects);
        Assert.NotNull(await _folder.Target.GetAsync(otherNamespace));
        Assert.NotNull(await _folder.Target.GetAsync(quota));
        Assert.NotNull(await _folder.Target.GetAsync(HandMade));
    }

    [Fact]
    public async Task Objects_in_the_tenants_namespace_without_the_platforms_labels_are_skipped()
    {
        var deleted = await _harness.Answer<TenantObjectsDeleted>(new DeleteTenantObjects(Guid.NewGuid(), "ent-customer-1", [HandMade]));

        Assert.Equal([HandMade], deleted.Skipped);
        Assert.Empty(deleted.Deleted);
        Assert.NotNull(await _folder.Target.GetAsync(HandMade));
    }
}
