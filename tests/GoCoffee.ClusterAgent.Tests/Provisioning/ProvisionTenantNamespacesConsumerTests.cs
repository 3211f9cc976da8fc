using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.Objects;
using GoCoffee.ClusterAgent.Targets;
using GoCoffee.ClusterAgent.Tests.Support;
using GoCoffee.ClusterAgent.Tests.Tenants;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Cluster;

namespace GoCoffee.ClusterAgent.Tests.Provisioning;

/// <summary>The provisioning consumer's decisions, on the manifests folder (the fake API server tests are in ProvisioningIntegrationTests).</summary>
public sealed class ProvisionTenantNamespacesConsumerTests : IAsyncLifetime
{
    private readonly ScratchManifests _folder = new();
    private ConsumerHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await ConsumerHarness.Start(_folder.Target);

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task Provisioned_tenant_reports_its_namespaces_and_every_object_applied()
    {
        var command = new ProvisionTenantNamespaces(Guid.NewGuid(), SeedTenants.Enterprise());

        var provisioned = await _harness.Answer<TenantNamespacesProvisioned>(command);

        Assert.Equal(command.CorrelationId, provisioned.CorrelationId);
        Assert.Equal("ent-customer-1", provisioned.TenantId);
        Assert.Equal(["ent-customer-1-1", "ent-customer-1-2", "ent-customer-1-3", "ent-customer-1-4", "ent-customer-1-5"], provisioned.Namespaces);
        Assert.Equal(ScratchManifests.TenantManifests().Select(Manifest.Reference), provisioned.Objects);
        Assert.Equal(provisioned.Objects.Count, (await _folder.Target.ListManagedAsync("ent-customer-1")).Count);
    }

    [Fact]
    public async Task A_redelivered_command_applies_the_same_objects_again_and_changes_nothing()
    {
        var command = new ProvisionTenantNamespaces(Guid.NewGuid(), SeedTenants.Enterprise());
        var messageId = Guid.NewGuid();
        var first = await _harness.Answer<TenantNamespacesProvisioned>(command, messageId);
        var written = Directory.EnumerateFiles(_folder.Root, "*.yaml", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);

        var again = await _harness.Answer<TenantNamespacesProvisioned>(command, messageId);

        Assert.Equal(first.Objects, again.Objects);
        Assert.Equal(written, Directory.EnumerateFiles(_folder.Root, "*.yaml", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc));
    }

    [Fact]
    public async Task Namespaces_the_plan_no_longer_lists_are_removed_and_other_tenants_are_untouched()
    {
        await _harness.Answer<TenantNamespacesProvisioned>(new ProvisionTenantNamespaces(Guid.NewGuid(), SeedTenants.Enterprise()));
        await _harness.Answer<TenantNamespacesProvisioned>(new ProvisionTenantNamespaces(Guid.NewGuid(), SeedTenants.Enterprise("other-tenant", namespaces: 2)));

        var shrunk = await _harness.Answer<TenantNamespacesProvisioned>(new ProvisionTenantNamespaces(Guid.NewGuid(), SeedTenants.Enterprise(namespaces: 3)));

        var namespaces = (await _folder.Target.ListAsync(ObjectKind.Namespace, null, null)).Select(ns => ns.Reference().Name).Order().ToList();
        Assert.Equal(["ent-customer-1-1", "ent-customer-1-2", "ent-customer-1-3", "other-tenant-1", "other-tenant-2"], namespaces);
        Assert.Equal(3, shrunk.Namespaces.Count);
        Assert.False(Directory.Exists(Path.Combine(_folder.Root, "ent-customer-1-4")));
    }

    [Fact]
    public async Task A_refused_object_removes_what_the_run_created_but_not_what_existed_before()
    {
        var plan = SeedTenants.Enterprise();
        var existing = ScratchManifests.TenantManifests().Take(2).ToList();
        foreach (var manifest in existing)
        {
            await _folder.Target.ApplyAsync(manifest);
        }

        // The third namespace exists already and is not the platform's: it is never adopted, so the run fails there (409).
        var squatted = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "ent-customer-1-3" } };
        await _folder.Target.ApplyAsync(squatted);

        var failed = await _harness.Answer<TenantClusterStepFailed>(new ProvisionTenantNamespaces(Guid.NewGuid(), plan));

        Assert.Equal("provision", failed.Step);
        Assert.Equal(new ClusterObjectRef("v1", "Namespace", null, "ent-customer-1-3"), failed.FailedObject);
        Assert.Equal(409, failed.StatusCode);
        Assert.Contains("does not adopt", failed.Message, StringComparison.Ordinal);
        Assert.False((await _folder.Target.GetAsync(squatted.Reference()))!.IsManagedFor("ent-customer-1"));

        var left = (await _folder.Target.ListManagedAsync("ent-customer-1")).Select(Manifest.Reference).ToList();
        Assert.Equal(existing.Select(Manifest.Reference).Select(r => r.ToString()).Order(), left.Select(r => r.ToString()).Order());

        var createdThenRemoved = ScratchManifests.TenantManifests(namespaces: 2).Select(Manifest.Reference).Except(existing.Select(Manifest.Reference)).Reverse();
        Assert.Equal(createdThenRemoved, failed.RemovedObjects);
    }

    [Fact]
    public async Task A_plan_with_a_quantity_kubernetes_cannot_read_fails_before_anything_is_applied()
    {
        var plan = SeedTenants.Enterprise();
        var broken = plan with { Namespaces = [plan.Namespaces[0] with { Quota = plan.Namespaces[0].Quota with { Cpu = "four cores" } }] };

        var failed = await _harness.Answer<TenantClusterStepFailed>(new ProvisionTenantNamespaces(Guid.NewGuid(), broken));

        Assert.Equal(422, failed.StatusCode);
        Assert.Equal("Tenant", failed.FailedObject.Kind);
        Assert.Empty(failed.RemovedObjects);
        Assert.False(Directory.Exists(_folder.Root));
    }
}
