using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.FakeKubernetes;
using GoCoffee.Testing;
using k8s.Models;

namespace GoCoffee.Tenant.Tests;

public sealed class OnboardingWithFakeKubernetesTests(PlatformWithFakeKubernetes platform) : IClassFixture<PlatformWithFakeKubernetes>
{
    private const string Tenant = "ent-customer-1";

    [Fact]
    public async Task Seed_enterprise_tenant_reaches_active_with_five_namespaces_whose_quotas_add_up_to_its_totals()
    {
        using var created = await platform.PostYaml(SeedDocuments.EnterpriseTenantYaml);
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);

        var active = await platform.WaitForPhase(Tenant, "Active");
        Assert.Equal(5, active.GetProperty("status").GetProperty("namespaces").GetArrayLength());
        Assert.Contains(active.GetProperty("status").GetProperty("conditions").EnumerateArray(), c => c.GetProperty("type").GetString() == "Ready" && c.GetProperty("status").GetString() == "True");

        var namespaces = platform.Kubernetes.Objects("namespaces").Where(n => Label(n, "gocoffee.dev/tenant") == Tenant).ToList();
        Assert.Equal(5, namespaces.Count);
        Assert.All(namespaces, n => Assert.Equal("gocoffee", Label(n, "app.kubernetes.io/managed-by")));

        var quotas = namespaces.SelectMany(n => platform.Kubernetes.Objects("resourcequotas", Name(n))).ToList();
        Assert.Equal(5, quotas.Count);
        Assert.Equal(20m, Sum(quotas, "limits.cpu"));
        Assert.Equal(40m * 1024 * 1024 * 1024, Sum(quotas, "limits.memory"));
        Assert.Equal(500m * 1024 * 1024 * 1024, Sum(quotas, "requests.storage"));
        Assert.All(namespaces, n =>
        {
            Assert.NotEmpty(platform.Kubernetes.Objects("networkpolicies", Name(n)));
            Assert.NotEmpty(platform.Kubernetes.Objects("rolebindings", Name(n)));
            Assert.NotEmpty(platform.Kubernetes.Objects("limitranges", Name(n)));
        });
    }

    [Fact]
    public async Task A_failing_child_object_fails_the_tenant_with_a_condition_naming_it_and_removes_what_was_created()
    {
        using var _ = platform.Kubernetes.FailNext("PATCH", "networkpolicies", 422, "NetworkPolicy.networking.k8s.io \"allow-gateway\" is invalid: spec.ingress[0].from: Invalid value", times: 50);
        using var created = await platform.PostYaml(TenantDocuments.Yaml("fails-np", "premium", namespaces: 2));
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);

        var failed = await platform.WaitForPhase("fails-np", "Failed");
        var synced = failed.GetProperty("status").GetProperty("conditions").EnumerateArray().Single(c => c.GetProperty("type").GetString() == "Synced");
        Assert.Equal("ChildObjectFailed", synced.GetProperty("reason").GetString());
        Assert.Contains("NetworkPolicy", synced.GetProperty("message").GetString());
        Assert.Contains("is invalid", synced.GetProperty("message").GetString());

        Assert.DoesNotContain(platform.Kubernetes.Objects("namespaces"), n => Label(n, "gocoffee.dev/tenant") == "fails-np");
        Assert.DoesNotContain(platform.Kubernetes.Objects("resourcequotas"), q => Label(q, "gocoffee.dev/tenant") == "fails-np");
    }

    [Fact]
    public async Task Tier_upgrade_applies_new_quotas_and_a_downgrade_above_the_new_maxima_is_refused()
    {
        using var created = await platform.PostYaml(TenantDocuments.Yaml("grows", "basic", namespaces: 1, cpu: "2", memory: "4Gi"));
        await platform.WaitForPhase("grows", "Active");

        using var upgrade = await platform.Client.PatchAsync("/api/tenants/grows", JsonContent.Create(new { tier = "premium", resources = new { namespaces = 2, cpu = "8", memory = "16Gi", storage = "20Gi" } }));
        Assert.Equal(HttpStatusCode.Accepted, upgrade.StatusCode);
        await TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Kubernetes.Objects("resourcequotas").Count(q => Label(q, "gocoffee.dev/tenant") == "grows") == 2 ? (bool?)true : null),
            TimeSpan.FromSeconds(30),
            "the second namespace's quota appears");
        var upgraded = await platform.WaitForPhase("grows", "Active");
        Assert.Equal("premium", upgraded.GetProperty("spec").GetProperty("tier").GetString());
        var quotas = platform.Kubernetes.Objects("resourcequotas").Where(q => Label(q, "gocoffee.dev/tenant") == "grows").ToList();
        Assert.Equal(8m, Sum(quotas, "limits.cpu"));

        using var downgrade = await platform.Client.PatchAsync("/api/tenants/grows", JsonContent.Create(new { tier = "free" }));
        var problem = await TenantApiTests.AssertProblem(downgrade, HttpStatusCode.BadRequest, "spec.resources.cpu");
        Assert.Contains("maximum of 2", problem);

        var audit = await platform.Client.GetFromJsonAsync<JsonElement>("/api/tenants/grows/audit");
        Assert.Single(audit.EnumerateArray(), e => e.GetProperty("event").GetString() == "spec_changed");
    }

    [Fact]
    public async Task Suspension_scales_workloads_to_zero_and_resumption_restores_them()
    {
        using var created = await platform.PostYaml(TenantDocuments.Yaml("sleepy", "premium", namespaces: 1));
        await platform.WaitForPhase("sleepy", "Active");
        platform.Kubernetes.Seed(Deployment("sleepy-1", "barista", replicas: 3));

        Assert.Equal(HttpStatusCode.Accepted, (await platform.Client.PostAsJsonAsync("/api/tenants/sleepy/suspend", new { reason = "unpaid invoice" })).StatusCode);
        await platform.WaitForPhase("sleepy", "Suspended");
        Assert.Equal(0, Replicas(platform.Kubernetes.Get("deployments", "sleepy-1", "barista")!));

        Assert.Equal(HttpStatusCode.Accepted, (await platform.Client.PostAsync("/api/tenants/sleepy/resume", null)).StatusCode);
        await platform.WaitForPhase("sleepy", "Active");
        Assert.Equal(3, Replicas(platform.Kubernetes.Get("deployments", "sleepy-1", "barista")!));
    }

    [Fact]
    public async Task A_deletion_asked_for_while_a_change_is_being_applied_runs_once_the_change_is_done()
    {
        Task<JsonElement> deleted;
        using (await ApplyingAHeldChange("changing"))
        {
            Assert.Equal(HttpStatusCode.Accepted, (await platform.Client.DeleteAsync("/api/tenants/changing?gracePeriodSeconds=0")).StatusCode);
            deleted = platform.WaitForPhase("changing", "Deleted");
        }

        var tenant = await deleted;
        Assert.Equal("Deleted", tenant.GetProperty("status").GetProperty("phase").GetString());
        Assert.DoesNotContain(platform.Kubernetes.Objects("namespaces"), n => Label(n, "gocoffee.dev/tenant") == "changing");
    }

    [Fact]
    public async Task A_second_change_or_a_suspension_asked_for_while_a_change_is_being_applied_is_applied_after_it()
    {
        using (await ApplyingAHeldChange("rechanging"))
        {
            using var second = await platform.Client.PatchAsync("/api/tenants/rechanging", JsonContent.Create(new { resources = new { namespaces = 2, cpu = "8", memory = "16Gi", storage = "20Gi" } }));
            Assert.True(second.StatusCode == HttpStatusCode.Accepted, await second.Content.ReadAsStringAsync());
        }

        await TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Kubernetes.Objects("resourcequotas").Count(q => Label(q, "gocoffee.dev/tenant") == "rechanging") == 2 ? (bool?)true : null),
            TimeSpan.FromSeconds(30),
            "the second change (a second namespace) is applied after the first");
        await platform.WaitForPhase("rechanging", "Active");

        using (await ApplyingAHeldChange("pausing"))
        {
            using var suspend = await platform.Client.PostAsync("/api/tenants/pausing/suspend", JsonContent.Create(new { reason = "unpaid invoice" }));
            Assert.True(suspend.IsSuccessStatusCode, await suspend.Content.ReadAsStringAsync());
        }

        await platform.WaitForPhase("pausing", "Suspended");
    }

    /// <summary>
    /// Onboards <paramref name="id"/>, then asks for a change whose round is held at the API server (its quota writes
    /// take 3 s) until the returned handle is disposed: the tenant still says Active, its lifecycle saga is mid-round.
    /// </summary>
    private async Task<IDisposable> ApplyingAHeldChange(string id)
    {
        using (var created = await platform.PostYaml(TenantDocuments.Yaml(id, "basic", namespaces: 1, cpu: "2", memory: "4Gi")))
        {
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }

        await platform.WaitForPhase(id, "Active");
        bool QuotaWrite(FakeRequest r) => r.IsFor("resourcequotas") && r.Namespace == $"{id}-1" && !r.IsVerb("get");
        var onboardingWrites = platform.Kubernetes.Requests.Count(QuotaWrite);
        var held = platform.Kubernetes.Delay(request => request.IsFor("resourcequotas") && request.Namespace == $"{id}-1", TimeSpan.FromSeconds(3));
        using var change = await platform.Client.PatchAsync($"/api/tenants/{id}", JsonContent.Create(new { tier = "premium", resources = new { namespaces = 1, cpu = "8", memory = "16Gi", storage = "20Gi" } }));
        Assert.True(change.StatusCode == HttpStatusCode.Accepted, await change.Content.ReadAsStringAsync());
        await TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Kubernetes.Requests.Count(QuotaWrite) > onboardingWrites ? (bool?)true : null),
            TimeSpan.FromSeconds(30),
            "the change's round reached the API server");
        return held;
    }

    [Fact]
    public async Task Deletion_is_planned_first_can_be_cancelled_and_then_removes_only_what_the_platform_created()
    {
        using var created = await platform.PostYaml(TenantDocuments.Yaml("leaving", "premium", namespaces: 2));
        await platform.WaitForPhase("leaving", "Active");
        platform.Kubernetes.Seed(ConfigMap("leaving-1", "customer-owned"));

        // The customer's own ConfigMap outside the platform's namespaces, labelled with the tenant's id (as a customer may
        // label things) but not managed by the platform: it must survive the tenant's deletion untouched.
        var customers = ConfigMap("default", "leaving-customer-settings");
        customers["metadata"]!["labels"] = new JsonObject { ["gocoffee.dev/tenant"] = "leaving" };
        platform.Kubernetes.Seed(customers);
        var customersVersion = platform.Kubernetes.Get("configmaps", "default", "leaving-customer-settings")!["metadata"]!["resourceVersion"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.Accepted, (await platform.Client.DeleteAsync("/api/tenants/leaving?gracePeriodSeconds=60")).StatusCode);
        var plan = await TestInfrastructure.Eventually(
            async () =>
            {
                var response = await platform.Client.GetFromJsonAsync<JsonElement>("/api/tenants/leaving/deletion-plan");
                return response.GetProperty("planned").GetBoolean() ? (JsonElement?)response : null;
            },
            TimeSpan.FromSeconds(30),
            "the deletion plan lists the tenant's objects");
        var planned = plan!.Value.GetProperty("objects").EnumerateArray().Select(o => $"{o.GetProperty("kind").GetString()} {o.GetProperty("name").GetString()}").ToList();
        Assert.Contains("Namespace leaving-1", planned);
        Assert.Contains("Namespace leaving-2", planned);
        Assert.DoesNotContain("ConfigMap customer-owned", planned);
        Assert.DoesNotContain("ConfigMap leaving-customer-settings", planned);

        Assert.Equal(HttpStatusCode.Accepted, (await platform.Client.PostAsync("/api/tenants/leaving/deletion/cancel", null)).StatusCode);
        await platform.WaitForPhase("leaving", "Active");
        Assert.NotNull(platform.Kubernetes.Get("namespaces", null, "leaving-1"));

        Assert.Equal(HttpStatusCode.Accepted, (await platform.Client.DeleteAsync("/api/tenants/leaving?gracePeriodSeconds=1")).StatusCode);
        await platform.WaitForPhase("leaving", "Deleted", TimeSpan.FromSeconds(45));
        Assert.DoesNotContain(platform.Kubernetes.Objects("resourcequotas"), q => Label(q, "gocoffee.dev/tenant") == "leaving");
        Assert.Null(platform.Kubernetes.Get("namespaces", null, "leaving-1"));

        var kept = platform.Kubernetes.Get("configmaps", "default", "leaving-customer-settings");
        Assert.NotNull(kept);
        Assert.Equal(customersVersion, kept["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Equal("customer", kept["data"]!["owner"]!.GetValue<string>());
        Assert.DoesNotContain(platform.Kubernetes.Requests, r => r.Resource == "configmaps" && r.Name is "customer-owned" or "leaving-customer-settings" && r.Verb is "delete" or "patch" or "update");
        var keys = await platform.Client.GetStringAsync("/api/tenants/leaving/api-keys");
        Assert.DoesNotContain("\"Active\"", keys);
    }

    [Fact]
    public async Task Tenant_service_killed_mid_onboarding_finishes_after_restart_without_repeating_a_step()
    {
        using (platform.Kubernetes.Delay("PATCH", "resourcequotas", TimeSpan.FromSeconds(2)))
        {
            using var created = await platform.PostYaml(TenantDocuments.Yaml("phoenix", "premium", namespaces: 2));
            Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
            await platform.RestartTenants();
        }

        await platform.WaitForPhase("phoenix", "Active", TimeSpan.FromSeconds(45));
        var audit = await platform.Client.GetFromJsonAsync<JsonElement>("/api/tenants/phoenix/audit");
        var events = audit.EnumerateArray().Select(e => e.GetProperty("event").GetString()).ToList();
        Assert.Single(events, e => e == "provisioning_started");
        Assert.Single(events, e => e == "namespaces_provisioned");
    }

    internal static string? Label(JsonObject obj, string key) => obj["metadata"]?["labels"]?[key]?.GetValue<string>();

    internal static string Name(JsonObject obj) => obj["metadata"]!["name"]!.GetValue<string>();

    internal static decimal Sum(IEnumerable<JsonObject> quotas, string resource) =>
        quotas.Sum(q => new ResourceQuantity(q["spec"]!["hard"]![resource]!.GetValue<string>()).ToDecimal());

    private static int Replicas(JsonObject deployment) => deployment["spec"]!["replicas"]!.GetValue<int>();

    private static JsonObject Deployment(string ns, string name, int replicas) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } },
            ["template"] = JsonNode.Parse("""{"metadata":{"labels":{"app":"barista"}},"spec":{"containers":[{"name":"app","image":"barista:1"}]}}"""),
        },
    };

    private static JsonObject ConfigMap(string ns, string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["data"] = new JsonObject { ["owner"] = "customer" },
    };
}
