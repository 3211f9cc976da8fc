using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.Testing;

namespace GoCoffee.Tenant.Tests;

/// <summary>
/// Tenants applied as Kubernetes custom resources (as kubectl or Argo CD would, straight into the fake API server):
/// the cluster-agent's watch hands them to the tenant service, the same saga provisions them, and their status comes
/// back to the resource. Real RabbitMQ and PostgreSQL; the API server is the in-process fake.
/// </summary>
public sealed class TenantCustomResourceTests(PlatformWithTenantResources platform) : IClassFixture<PlatformWithTenantResources>
{
    [Fact]
    public async Task Seed_tenant_applied_as_a_custom_resource_becomes_active_and_its_status_says_so()
    {
        var applied = platform.Kubernetes.SeedYaml(SeedDocuments.EnterpriseTenantYaml).Single();
        const string name = "enterprise-customer-1";
        const string tenantId = "ent-customer-1";

        var active = await platform.WaitForPhase(tenantId, "Active", TimeSpan.FromSeconds(60));
        Assert.Equal(5, active.GetProperty("status").GetProperty("namespaces").GetArrayLength());
        var namespaces = platform.Kubernetes.Objects("namespaces").Where(n => OnboardingWithFakeKubernetesTests.Label(n, "gocoffee.dev/tenant") == tenantId).ToList();
        Assert.Equal(5, namespaces.Count);

        var resource = await platform.WaitForResource(name, r => Phase(r) == "Active" && Condition(r, "Ready")?["status"]?.GetValue<string>() == "True", "the resource's status says Active and Ready");
        var status = resource["status"]!;
        Assert.Equal(1L, status["observedGeneration"]!.GetValue<long>());
        Assert.Equal(1L, Condition(resource, "Ready")!["observedGeneration"]!.GetValue<long>());
        Assert.Equal(5, status["namespaces"]!.AsArray().Count);
        Assert.Equal("True", Condition(resource, "Synced")!["status"]!.GetValue<string>());

        Assert.True(JsonNode.DeepEquals(applied["spec"], resource["spec"]), "the spec is as applied");
        Assert.Equal(1L, resource["metadata"]!["generation"]!.GetValue<long>());
        Assert.Contains(
            resource["metadata"]!["managedFields"]!.AsArray().OfType<JsonObject>(),
            entry => (string?)entry["manager"] == "gocoffee-cluster-agent" && (string?)entry["subresource"] == "status");
        Assert.Equal(["tenant_created"], (await platform.AuditEvents(tenantId)).Where(e => e == "tenant_created"));
    }

    [Fact]
    public async Task Deleting_a_tenant_resource_deletes_its_tenant_after_the_grace_period()
    {
        platform.Kubernetes.SeedYaml(TenantYaml("farewell", "premium", namespaces: 2));
        await platform.WaitForPhase("farewell", "Active", TimeSpan.FromSeconds(60));
        Assert.Equal(2, platform.Kubernetes.Objects("namespaces").Count(n => OnboardingWithFakeKubernetesTests.Label(n, "gocoffee.dev/tenant") == "farewell"));

        Assert.True(platform.Kubernetes.Delete("tenants", null, "farewell"));

        await platform.WaitForPhase("farewell", "Deleted", TimeSpan.FromSeconds(60));
        Assert.DoesNotContain(platform.Kubernetes.Objects("namespaces"), n => OnboardingWithFakeKubernetesTests.Label(n, "gocoffee.dev/tenant") == "farewell");
        Assert.Contains("deletion_requested", await platform.AuditEvents("farewell"));
    }

    [Fact]
    public async Task An_invalid_tenant_resource_gets_a_condition_naming_the_field_and_nothing_is_created()
    {
        platform.Kubernetes.SeedYaml(TenantYaml("too-big", "basic", namespaces: 40));

        var resource = await platform.WaitForResource("too-big", r => Condition(r, "Synced")?["status"]?.GetValue<string>() == "False", "the resource reports why it is not synced");
        var synced = Condition(resource, "Synced")!;
        Assert.Equal("Invalid", synced["reason"]!.GetValue<string>());
        Assert.Contains("spec.resources.namespaces", synced["message"]!.GetValue<string>());
        Assert.Contains("maximum", synced["message"]!.GetValue<string>());
        Assert.Equal(1L, resource["status"]!["observedGeneration"]!.GetValue<long>());

        Assert.Equal(HttpStatusCode.NotFound, (await platform.Client.GetAsync("/api/tenants/too-big")).StatusCode);
        Assert.DoesNotContain(platform.Kubernetes.Objects("namespaces"), n => OnboardingWithFakeKubernetesTests.Label(n, "gocoffee.dev/tenant") == "too-big");
    }

    [Fact]
    public async Task A_tenant_resource_the_model_cannot_read_gets_a_condition_naming_the_field()
    {
        // Only possible where the CRD's schema is not enforced (the fake API server does not validate against it).
        platform.Kubernetes.SeedYaml(TenantYaml("unreadable", "basic", namespaces: 1).Replace("namespaces: 1", "namespaces: many", StringComparison.Ordinal));

        var resource = await platform.WaitForResource("unreadable", r => Condition(r, "Synced")?["status"]?.GetValue<string>() == "False", "the resource reports the field it cannot read");
        Assert.Contains("spec.resources.namespaces", Condition(resource, "Synced")!["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await platform.Client.GetAsync("/api/tenants/unreadable")).StatusCode);
    }

    [Fact]
    public async Task The_watch_survives_closed_streams_and_a_compaction_without_handing_a_change_on_twice()
    {
        const string tenant = "steady";
        platform.Kubernetes.SeedYaml(TenantYaml(tenant, "premium", namespaces: 1));
        await WaitUntilSettled(tenant, generation: 1);
        var received = await platform.AppliedMessagesReceived();

        // The server ends the watch: the agent watches again from where it was, without listing.
        platform.Kubernetes.ClearRequests();
        platform.Kubernetes.CloseWatches();
        await WaitForWatch();
        Assert.DoesNotContain(platform.Kubernetes.Requests, r => r.IsFor(PlatformWithTenantResources.Resource) && r.IsVerb("list"));
        Assert.Contains(platform.Kubernetes.Requests, r => r.IsFor(PlatformWithTenantResources.Resource) && r.IsVerb("watch") && r.Query.ContainsKey("resourceVersion"));

        await Rename(tenant, "Steady One");
        await WaitUntilSettled(tenant, generation: 2);

        // The server forgets the history behind the agent's cursor: the agent lists again, and hands nothing on twice.
        platform.Kubernetes.Seed(ConfigMap("default", "moves-the-resource-version-on"));
        platform.Kubernetes.ClearRequests();
        platform.Kubernetes.Compact();
        platform.Kubernetes.CloseWatches();
        await TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Kubernetes.Requests.Any(r => r.IsFor(PlatformWithTenantResources.Resource) && r.IsVerb("list")) ? (bool?)true : null),
            TimeSpan.FromSeconds(30),
            "the agent lists Tenants again after 410 Gone");
        await WaitForWatch();

        await Rename(tenant, "Steady Two");
        await WaitUntilSettled(tenant, generation: 3);
        await HandedOnEverythingBefore("steady");

        Assert.Equal(received + 2 + 1, await platform.AppliedMessagesReceived());
        var audit = await platform.AuditEvents(tenant);
        Assert.Single(audit, e => e == "tenant_created");
        Assert.Equal(2, audit.Count(e => e == "spec_changed"));
    }

    [Fact]
    public async Task A_restarted_agent_resumes_from_its_stored_cursor_and_hands_on_what_changed_meanwhile()
    {
        const string tenant = "resumer";
        platform.Kubernetes.SeedYaml(TenantYaml(tenant, "premium", namespaces: 1));
        await WaitUntilSettled(tenant, generation: 1);

        // The agent has handled every event of the resource, the status writes included, and stored its cursor there.
        var cursor = await TestInfrastructure.Eventually(
            async () => await platform.StoredCursor() is { } stored && stored == platform.TenantResource(tenant)?["metadata"]?["resourceVersion"]?.GetValue<string>() ? stored : null,
            TimeSpan.FromSeconds(30),
            "the agent's cursor reaches the resource's latest version");
        Assert.NotNull(cursor);
        var received = await platform.AppliedMessagesReceived();

        await platform.RestartAgent(whileStopped: () =>
        {
            platform.Kubernetes.ClearRequests();
            platform.Kubernetes.Mutate(PlatformWithTenantResources.Resource, null, tenant, r => r["spec"]!["displayName"] = "Resumed");
        });

        await WaitUntilSettled(tenant, generation: 2);
        var first = platform.Kubernetes.Requests.First(r => r.IsFor(PlatformWithTenantResources.Resource));
        Assert.True(first.IsVerb("watch"), $"the agent's first request after the restart is a watch, not a {first.Verb}");
        Assert.Equal(cursor, first.Query["resourceVersion"]);
        Assert.DoesNotContain(platform.Kubernetes.Requests, r => r.IsFor(PlatformWithTenantResources.Resource) && r.IsVerb("list"));

        await HandedOnEverythingBefore("resumer");
        Assert.Equal(received + 1 + 1, await platform.AppliedMessagesReceived());
        var tenantView = await platform.Tenant(tenant);
        Assert.Equal("Resumed", tenantView.GetProperty("spec").GetProperty("displayName").GetString());
        var audit = await platform.AuditEvents(tenant);
        Assert.Single(audit, e => e == "tenant_created");
        Assert.Single(audit, e => e == "spec_changed");
    }

    /// <summary>The tenant is Active at <paramref name="generation"/> and its resource's status says so.</summary>
    private async Task WaitUntilSettled(string name, long generation)
    {
        await platform.WaitForResource(
            name,
            r => Phase(r) == "Active" && r["status"]?["observedGeneration"]?.GetValue<long>() == generation && Condition(r, "Synced")?["status"]?.GetValue<string>() == "True",
            $"Tenant {name} is Active at generation {generation}",
            TimeSpan.FromSeconds(60));
        var tenant = await platform.WaitForPhase(name, "Active");
        Assert.Equal("Active", tenant.GetProperty("status").GetProperty("phase").GetString());
    }

    private async Task Rename(string name, string displayName)
    {
        platform.Kubernetes.Mutate(PlatformWithTenantResources.Resource, null, name, r => r["spec"]!["displayName"] = displayName);
        await TestInfrastructure.Eventually(
            async () =>
            {
                var tenant = await platform.Tenant(name);
                return tenant.GetProperty("spec").TryGetProperty("displayName", out var shown) && shown.GetString() == displayName ? (bool?)true : null;
            },
            TimeSpan.FromSeconds(30),
            $"tenant {name} is renamed {displayName}");
    }

    /// <summary>
    /// The signal that every change made before now has been handed on (a duplicate included, had there been one): the
    /// agent handles watch events one at a time and in order, and its relay publishes oldest first, so once a sentinel
    /// Tenant applied now has reached the tenant service, so has everything before it. The sentinel is one more
    /// <c>TenantResourceApplied</c>.
    /// </summary>
    private async Task HandedOnEverythingBefore(string name)
    {
        var sentinel = $"sentinel-{name}";
        platform.Kubernetes.SeedYaml(TenantYaml(sentinel, "premium", namespaces: 1));
        await TestInfrastructure.Eventually(
            async () => (await platform.Client.GetAsync($"/api/tenants/{sentinel}")).IsSuccessStatusCode ? (bool?)true : null,
            TimeSpan.FromSeconds(30),
            $"the sentinel tenant {sentinel} reached the tenant service");
    }

    private Task WaitForWatch() =>
        TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Kubernetes.OpenWatches > 0 ? (bool?)true : null),
            TimeSpan.FromSeconds(30),
            "the agent watches Tenants again");

    private static string? Phase(JsonObject resource) => resource["status"]?["phase"]?.GetValue<string>();

    private static JsonObject? Condition(JsonObject resource, string type) =>
        (resource["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);

    /// <summary>One owner, and cpu as a number, the way kubectl users write quantities in a custom resource.</summary>
    private static string TenantYaml(string id, string tier, int namespaces) =>
        TenantDocuments.Yaml(id, tier, namespaces, owners: ["alice@example.com"]).Replace("cpu: \"4\"", "cpu: 4", StringComparison.Ordinal);

    private static JsonObject ConfigMap(string ns, string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["data"] = new JsonObject { ["purpose"] = "test" },
    };
}
