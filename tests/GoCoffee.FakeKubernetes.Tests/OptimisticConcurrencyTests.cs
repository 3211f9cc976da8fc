using k8s.Autorest;
using k8s.Models;

namespace GoCoffee.FakeKubernetes.Tests;

public sealed class OptimisticConcurrencyTests : FakeClusterTest
{
    [Fact]
    public async Task Replace_with_a_stale_resource_version_is_409_Conflict()
    {
        var original = await Client.CoreV1.CreateNamespacedResourceQuotaAsync(Quota("q", "1"), "default");
        var first = await Client.CoreV1.ReadNamespacedResourceQuotaAsync("q", "default");
        first.Spec.Hard["cpu"] = new ResourceQuantity("2");
        await Client.CoreV1.ReplaceNamespacedResourceQuotaAsync(first, "q", "default");

        original.Spec.Hard["cpu"] = new ResourceQuantity("3");
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReplaceNamespacedResourceQuotaAsync(original, "q", "default"));
        var status = StatusOf(error);
        Assert.Equal(409, status.Code);
        Assert.Equal("Conflict", status.Reason);
        Assert.Equal(
            "Operation cannot be fulfilled on resourcequotas \"q\": the object has been modified; please apply your changes to the latest version and try again",
            status.Message);
        Assert.Equal("2", (await Client.CoreV1.ReadNamespacedResourceQuotaAsync("q", "default")).Spec.Hard["cpu"].ToString());
    }

    [Fact]
    public async Task A_write_that_changes_nothing_keeps_the_resource_version()
    {
        var created = await Client.CoreV1.CreateNamespacedResourceQuotaAsync(Quota("q", "1"), "default");
        var same = await Client.CoreV1.ReplaceNamespacedResourceQuotaAsync(created, "q", "default");
        Assert.Equal(created.Metadata.ResourceVersion, same.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Resource_versions_are_one_global_increasing_counter_under_concurrent_writes()
    {
        var created = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"cm-{i}" } }, "default")));
        var versions = created.Select(c => long.Parse(c.Metadata.ResourceVersion)).ToList();
        Assert.Equal(200, versions.Distinct().Count());
        Assert.Equal(versions.Max().ToString(), Server.ResourceVersion);
        Assert.Equal(200, Server.Objects("configmaps", "default").Count);
    }
}
