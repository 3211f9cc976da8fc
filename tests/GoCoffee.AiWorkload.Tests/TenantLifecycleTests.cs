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

    [Fact]
    public async Task Deleting_the_tenant_removes_its_ai_workloads_and_their_reservations_before_its_namespaces()
    {
        await platform.CreateTenant("firstout", gpuQuota: 2);
        await platform.RegisterModel("firstout", "coffee-recommendation", "v1");
        await platform.ApplyWorkload("firstout", DeploymentTests.Workload("early", "v1", gpus: 1));
        await platform.WaitForPhase("firstout", "early", "Initializing");
        platform.MarkReady("firstout-1", "early");
        await platform.WaitForPhase("firstout", "early", "Running");
        Assert.Equal(1, (await platform.Quota("firstout")).GetProperty("reserved").GetProperty("gpus").GetInt32());

        var deleted = await platform.Tenants.Client.DeleteAsync("/api/tenants/firstout?gracePeriodSeconds=0");
        Assert.True(deleted.IsSuccessStatusCode, await deleted.Content.ReadAsStringAsync());
        await TestInfrastructure.Eventually(
            async () => (await platform.Tenants.Client.GetFromJsonAsync<JsonElement>("/api/tenants/firstout")).GetProperty("status").GetProperty("phase").GetString() == "Deleted" ? "deleted" : null,
            TimeSpan.FromSeconds(60),
            "the tenant is deleted");

        var requests = platform.Kubernetes.Requests.ToList();
        var deploymentDeleted = requests.FindIndex(r => r.Verb == "delete" && r.Resource == "deployments" && r.Namespace == "firstout-1" && r.Name == "early");
        var namespaceDeleted = requests.FindIndex(r => r.Verb == "delete" && r.Resource == "namespaces" && r.Name == "firstout-1");
        var tenantObjectsDeleted = requests.FindIndex(r => r.Verb == "delete" && r.Resource == "resourcequotas" && r.Namespace == "firstout-1");
        Assert.True(deploymentDeleted >= 0, "the workload's Deployment was deleted by the platform");
        Assert.True(namespaceDeleted >= 0, "the tenant's namespace was deleted");
        Assert.True(deploymentDeleted < namespaceDeleted, $"the AI workload went first (Deployment delete #{deploymentDeleted}, namespace delete #{namespaceDeleted})");

        // Removed by the ai-workload service before the tenant's own deletion started (it would delete the Deployment too, later).
        Assert.True(tenantObjectsDeleted >= 0 && deploymentDeleted < tenantObjectsDeleted, $"the AI workload went before the tenant's objects (Deployment delete #{deploymentDeleted}, ResourceQuota delete #{tenantObjectsDeleted})");
        Assert.Equal(HttpStatusCode.NotFound, (await platform.AiClient("firstout").GetAsync("/api/ai/workloads/early")).StatusCode);
    }

    [Fact]
    public async Task A_model_taken_off_the_tenants_allowed_models_holds_its_workload_at_zero_keeping_its_reservation_until_allowed_again()
    {
        await platform.CreateTenant("held", gpuQuota: 2, models: ["coffee-recommendation", "ranker"]);
        await platform.RegisterModel("held", "coffee-recommendation", "v1");
        await platform.ApplyWorkload("held", DeploymentTests.Workload("kept", "v1", gpus: 1, min: 1, max: 1));
        await platform.WaitForPhase("held", "kept", "Initializing");
        platform.MarkReady("held-1", "kept");
        await platform.WaitForPhase("held", "kept", "Running");

        await ChangeAi("held", """{"services": {"ai": {"enabled": true, "models": ["ranker"], "gpuQuota": 2}}}""");
        await DeploymentReplicas("held-1", "kept", 0);
        var held = await TestInfrastructure.Eventually(
            async () => Condition(await platform.Workload("held", "kept"), "Allowed") is { } allowed && allowed.GetProperty("status").GetString() == "False" ? (JsonElement?)allowed : null,
            TimeSpan.FromSeconds(30),
            "the workload says why it is held");
        Assert.Contains("'coffee-recommendation' is no longer among the tenant's allowed models", held!.Value.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, (await platform.Quota("held")).GetProperty("reserved").GetProperty("gpus").GetInt32());
        var refused = await platform.ApplyWorkload("held", DeploymentTests.Workload("kept", "v1", gpus: 1, min: 1, max: 2));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        await ChangeAi("held", """{"services": {"ai": {"enabled": true, "models": ["coffee-recommendation", "ranker"], "gpuQuota": 2}}}""");
        await DeploymentReplicas("held-1", "kept", 1);
        await TestInfrastructure.Eventually(
            async () => Condition(await platform.Workload("held", "kept"), "Allowed") is null ? "released" : null,
            TimeSpan.FromSeconds(30),
            "the workload is allowed again");
        Assert.Equal(1, (await platform.Quota("held")).GetProperty("reserved").GetProperty("gpus").GetInt32());
    }

    [Fact]
    public async Task Deleting_a_tenant_whose_ai_was_disabled_after_its_workloads_were_created_removes_them_before_its_namespaces()
    {
        await platform.CreateTenant("switched", gpuQuota: 2);
        await platform.RegisterModel("switched", "coffee-recommendation", "v1");
        // A CPU-only workload: the tenant service refuses to take AI away while GPUs are reserved.
        await platform.ApplyWorkload("switched", DeploymentTests.Workload("leftover", "v1", gpus: 0));
        await platform.WaitForPhase("switched", "leftover", "Initializing");
        platform.MarkReady("switched-1", "leftover");
        await platform.WaitForPhase("switched", "leftover", "Running");
        await ChangeAi("switched", """{"services": {"ai": {"enabled": false}}}""");
        await platform.TenantKnown("switched", t => !t.AiEnabled);
        await DeploymentReplicas("switched-1", "leftover", 0);

        var deleted = await platform.Tenants.Client.DeleteAsync("/api/tenants/switched?gracePeriodSeconds=0");
        Assert.True(deleted.IsSuccessStatusCode, await deleted.Content.ReadAsStringAsync());
        await TestInfrastructure.Eventually(
            async () => (await platform.Tenants.Client.GetFromJsonAsync<JsonElement>("/api/tenants/switched")).GetProperty("status").GetProperty("phase").GetString() == "Deleted" ? "deleted" : null,
            TimeSpan.FromSeconds(60),
            "the tenant is deleted");

        var requests = platform.Kubernetes.Requests.ToList();
        var deploymentDeleted = requests.FindIndex(r => r.Verb == "delete" && r.Resource == "deployments" && r.Namespace == "switched-1" && r.Name == "leftover");
        var namespaceDeleted = requests.FindIndex(r => r.Verb == "delete" && r.Resource == "namespaces" && r.Name == "switched-1");
        var tenantObjectsDeleted = requests.FindIndex(r => r.Verb == "delete" && r.Resource == "resourcequotas" && r.Namespace == "switched-1");
        Assert.True(deploymentDeleted >= 0, "the workload's Deployment was deleted by the platform");
        Assert.True(namespaceDeleted >= 0, "the tenant's namespace was deleted");
        Assert.True(deploymentDeleted < namespaceDeleted, $"the AI workload went first (Deployment delete #{deploymentDeleted}, namespace delete #{namespaceDeleted})");

        // Removed by the ai-workload service before the tenant's own deletion started (it would delete the Deployment too, later).
        Assert.True(tenantObjectsDeleted >= 0 && deploymentDeleted < tenantObjectsDeleted, $"the AI workload went before the tenant's objects (Deployment delete #{deploymentDeleted}, ResourceQuota delete #{tenantObjectsDeleted})");
    }

    private async Task ChangeAi(string tenant, string patch)
    {
        // A spec change re-provisions the tenant: the next one is accepted once it is Active again.
        await TestInfrastructure.Eventually(
            async () => (await platform.Tenants.Client.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenant}")).GetProperty("status").GetProperty("phase").GetString() == "Active" ? "active" : null,
            TimeSpan.FromSeconds(30),
            $"tenant {tenant} is Active");
        using var change = new StringContent(patch, System.Text.Encoding.UTF8, "application/merge-patch+json");
        var changed = await platform.Tenants.Client.PatchAsync($"/api/tenants/{tenant}", change);
        Assert.True(changed.IsSuccessStatusCode, await changed.Content.ReadAsStringAsync());
    }

    private Task DeploymentReplicas(string ns, string name, int replicas) =>
        TestInfrastructure.Eventually(
            () => Task.FromResult((int?)platform.Kubernetes.Get("deployments", ns, name)?["spec"]?["replicas"] == replicas ? "ok" : null),
            TimeSpan.FromSeconds(30),
            $"Deployment {ns}/{name} has {replicas} replicas");

    private static JsonElement? Condition(JsonElement workload, string type) =>
        workload.GetProperty("status").GetProperty("conditions").EnumerateArray().Cast<JsonElement?>().FirstOrDefault(c => c!.Value.GetProperty("type").GetString() == type);
}
