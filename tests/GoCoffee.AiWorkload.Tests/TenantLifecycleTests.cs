using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoCoffee.Testing;

namespace GoCoffee.AiWorkload.Tests;

/// <summary>What a tenant's suspension and deletion do to its AI workloads.</summary>
public sealed class TenantLifecycleTests(AiPlatform platform) : IClassFixture<AiPlatform>
{
    [Fact]
    public async Task Suspending_the_tenant_scales_its_workloads_to_zero_and_keeps_their_reservations()
    {
        await platform.CreateTenant("pausing", gpuQuota: 2);
        await platform.RegisterModel("pausing", "coffee-recommendation", "v1");
        await platform.ApplyWorkload("pausing", DeploymentTests.Workload("sleeper", "v1", gpus: 2, min: 1, max: 1));
        await platform.WaitForPhase("pausing", "sleeper", "Initializing");
        platform.MarkReady("pausing-1", "sleeper");
        await platform.WaitForPhase("pausing", "sleeper", "Running");

        var suspended = await platform.Tenants.Client.PostAsJsonAsync("/api/tenants/pausing/suspend", new { reason = "unpaid" });
        Assert.Equal(HttpStatusCode.Accepted, suspended.StatusCode);
        await TestInfrastructure.Eventually(
            () => Task.FromResult((int?)platform.Kubernetes.Get("deployments", "pausing-1", "sleeper")?["spec"]?["replicas"] == 0 ? "zero" : null),
            TimeSpan.FromSeconds(30),
            "the AI workload is scaled to zero");
        Assert.Equal(2, (await platform.Quota("pausing")).GetProperty("reserved").GetProperty("gpus").GetInt32());
    }

    [Fact]
    public async Task Deleting_the_tenant_deletes_its_workloads()
    {
        await platform.CreateTenant("closing", gpuQuota: 1);
        await platform.RegisterModel("closing", "coffee-recommendation", "v1");
        await platform.ApplyWorkload("closing", DeploymentTests.Workload("last", "v1", gpus: 1));
        await platform.WaitForPhase("closing", "last", "Initializing");

        var deleted = await platform.Tenants.Client.DeleteAsync("/api/tenants/closing?gracePeriodSeconds=0");
        Assert.True(deleted.IsSuccessStatusCode, await deleted.Content.ReadAsStringAsync());
        await TestInfrastructure.Eventually(
            async () => (await platform.AiClient("closing").GetAsync("/api/ai/workloads/last")).StatusCode == HttpStatusCode.NotFound ? "gone" : null,
            TimeSpan.FromSeconds(60),
            "the tenant's workload is deleted");
        Assert.Null(platform.Kubernetes.Get("deployments", "closing-1", "last"));
        var refused = await platform.ApplyWorkload("closing", DeploymentTests.Workload("again", "v1", gpus: 1));
        Assert.Contains("tenantId", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }
}
