using GoCoffee.ClusterAgent.Objects;
using GoCoffee.ClusterAgent.Tests.Support;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Cluster;

namespace GoCoffee.ClusterAgent.Tests.Workloads;

public sealed class ScaleTenantWorkloadsConsumerTests : IAsyncLifetime
{
    private const string Remembered = "gocoffee.dev/replicas-before-suspend";

    private static readonly ClusterObjectRef Barista = new("apps/v1", "Deployment", "ent-customer-1-1", "barista");
    private static readonly ClusterObjectRef Ledger = new("apps/v1", "StatefulSet", "ent-customer-1-2", "ledger");
    private static readonly ClusterObjectRef Grinder = new("apps/v1", "Deployment", "ent-customer-1-2", "grinder");
    private static readonly ClusterObjectRef Foreign = new("apps/v1", "Deployment", "kube-system", "coredns");

    private readonly ScratchManifests _folder = new();
    private ConsumerHarness _harness = null!;

    public async Task InitializeAsync()
    {
        _harness = await ConsumerHarness.Start(_folder.Target);
        foreach (var manifest in ScratchManifests.TenantManifests(namespaces: 2))
        {
            await _folder.Target.ApplyAsync(manifest);
        }

        // A tenant's own workloads carry no platform labels: suspension still covers them, by namespace.
        await _folder.Target.ApplyAsync(ScratchManifests.Workload("Deployment", "ent-customer-1-1", "barista", 3));
        await _folder.Target.ApplyAsync(ScratchManifests.Workload("StatefulSet", "ent-customer-1-2", "ledger", 2));
        await _folder.Target.ApplyAsync(ScratchManifests.Workload("Deployment", "ent-customer-1-2", "grinder", replicas: null));
        await _folder.Target.ApplyAsync(ScratchManifests.Workload("Deployment", "kube-system", "coredns", 2));
    }

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task Suspending_scales_every_workload_to_zero_and_remembers_its_replicas()
    {
        var scaled = await _harness.Answer<TenantWorkloadsScaled>(Suspend());

        Assert.True(scaled.Suspended);
        Assert.Equal([Barista, Grinder, Ledger], scaled.Workloads.OrderBy(w => w.Name));
        Assert.Equal((0, "3"), await Replicas(Barista));
        Assert.Equal((0, "2"), await Replicas(Ledger));
        Assert.Equal((0, "1"), await Replicas(Grinder));
    }

    [Fact]
    public async Task Suspending_twice_keeps_the_replicas_remembered_the_first_time()
    {
        await _harness.Answer<TenantWorkloadsScaled>(Suspend());

        await _harness.Answer<TenantWorkloadsScaled>(Suspend());

        Assert.Equal((0, "3"), await Replicas(Barista));
    }

    [Fact]
    public async Task Resuming_restores_the_remembered_replicas_and_forgets_them()
    {
        await _harness.Answer<TenantWorkloadsScaled>(Suspend());

        var resumed = await _harness.Answer<TenantWorkloadsScaled>(Suspend() with { Suspend = false });

        Assert.False(resumed.Suspended);
        Assert.Equal(3, resumed.Workloads.Count);
        Assert.Equal((3, null), await Replicas(Barista));
        Assert.Equal((2, null), await Replicas(Ledger));
        Assert.Equal((1, null), await Replicas(Grinder));
    }

    [Fact]
    public async Task Resuming_leaves_workloads_the_platform_did_not_suspend_alone()
    {
        var resumed = await _harness.Answer<TenantWorkloadsScaled>(Suspend() with { Suspend = false });

        Assert.Empty(resumed.Workloads);
        Assert.Equal((3, null), await Replicas(Barista));
    }

    [Fact]
    public async Task A_command_naming_a_namespace_that_is_not_the_tenants_is_refused_and_scales_nothing()
    {
        var refused = await _harness.Answer<TenantClusterStepFailed>(Suspend() with { Namespaces = ["kube-system", "ent-customer-1-1"] });

        Assert.Equal(403, refused.StatusCode);
        Assert.Equal(new ClusterObjectRef("v1", "Namespace", null, "kube-system"), refused.FailedObject);
        Assert.Contains("not one of tenant ent-customer-1's", refused.Message);
        Assert.Equal((2, null), await Replicas(Foreign));
        Assert.Equal((3, null), await Replicas(Barista));
    }

    [Fact]
    public async Task A_namespace_named_like_the_tenants_but_not_labelled_for_it_is_never_scaled()
    {
        await _folder.Target.ApplyAsync(ScratchManifests.Workload("Deployment", "ent-customer-1-9", "squatter", 2));

        var scaled = await _harness.Answer<TenantWorkloadsScaled>(Suspend() with { Namespaces = ["ent-customer-1-9", "ent-customer-1-1"] });

        Assert.Equal([Barista], scaled.Workloads);
        Assert.Equal((2, null), await Replicas(new ClusterObjectRef("apps/v1", "Deployment", "ent-customer-1-9", "squatter")));
    }

    private static ScaleTenantWorkloads Suspend() => new(Guid.NewGuid(), "ent-customer-1", ["ent-customer-1-1", "ent-customer-1-2"], Suspend: true);

    private async Task<(int? Replicas, string? Remembered)> Replicas(ClusterObjectRef workload)
    {
        var stored = await _folder.Target.GetAsync(workload);
        return ((int?)stored!["spec"]!["replicas"] ?? 1, stored.Annotations().GetValueOrDefault(Remembered));
    }
}
