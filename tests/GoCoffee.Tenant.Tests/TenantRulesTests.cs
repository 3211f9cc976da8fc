using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.Testing;

namespace GoCoffee.Tenant.Tests;

/// <summary>
/// Rules on what a tenant may be called, who may own it and how it is isolated, through the API: every refusal is a
/// 400 problem naming the field and saying the rule, and nothing is created.
/// </summary>
public sealed class TenantRulesTests(TenantHost tenants) : IClassFixture<TenantHost>
{
    [Theory]
    [InlineData("health")]
    [InlineData("openapi")]
    [InlineData("metrics")]
    [InlineData("docs")]
    [InlineData("console")]
    [InlineData("_directory")]
    [InlineData("gateway")]
    [InlineData("default")]
    [InlineData("kube")]
    [InlineData("kube-system")]
    [InlineData("kube-anything")]
    [InlineData("gocoffee")]
    [InlineData("gocoffee-system")]
    [InlineData("gocoffeeshop")]
    [InlineData("go-coffee")]
    public async Task A_reserved_tenant_id_is_refused_saying_it_is_reserved(string tenantId)
    {
        using var response = await tenants.PostJson(Document(tenantId));

        var message = await SingleError(response, "spec.tenantId");
        Assert.Contains("reserved", message, StringComparison.Ordinal);
        using var list = JsonDocument.Parse(await tenants.Client.GetStringAsync("/api/tenants?pageSize=100"));
        Assert.DoesNotContain(tenantId, list.RootElement.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("tenantId").GetString()));
    }

    [Theory]
    [InlineData("coffee-kube")]
    [InlineData("my-gocoffee")]
    [InlineData("healthy-beans")]
    [InlineData("kubernetes-fans")]
    public async Task An_id_that_only_resembles_a_reserved_one_is_accepted(string tenantId)
    {
        using var response = await tenants.PostJson(Document(tenantId));

        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{tenantId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [InlineData("group:system:authenticated")]
    [InlineData("group:system:masters")]
    [InlineData("user:system:admin")]
    [InlineData("system:serviceaccount:kube-system:default")]
    [InlineData("System:Anonymous")]
    [InlineData("GROUP:system:unauthenticated")]
    public async Task An_owner_naming_a_kubernetes_system_user_or_group_is_refused(string owner)
    {
        using var response = await tenants.PostJson(Document("owned", spec => spec["owners"] = new JsonArray("ana@owned.example", owner)));

        var message = await SingleError(response, "spec.owners[1]");
        Assert.Contains("system:", message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await tenants.Client.GetAsync("/api/tenants/owned")).StatusCode);
    }

    public static TheoryData<string, string, string, string> IsolationRefusals() => new()
    {
        { "strict isolation without nodes of its own", """{"level":"strict"}""", "spec.isolation.nodeAffinity", "required with isolation level strict" },
        { "RBAC switched off", """{"rbac":false}""", "spec.isolation.rbac", "cannot be false" },
        { "network policies off at the default level", """{"networkPolicy":false}""", "spec.isolation.networkPolicy", "only with isolation level soft" },
        { "network policies off at level hard", """{"level":"hard","networkPolicy":false}""", "spec.isolation.networkPolicy", "only with isolation level soft" },
        { "network policies off at level strict", """{"level":"strict","networkPolicy":false,"nodeAffinity":{"pool":"a"}}""", "spec.isolation.networkPolicy", "only with isolation level soft" },
        { "a node label value with a comma", """{"nodeAffinity":{"pool":"a,b=c"}}""", "spec.isolation.nodeAffinity.pool", "node label value" },
        { "a node label value of 64 characters", "{\"nodeAffinity\":{\"pool\":\"" + new string('a', 64) + "\"}}", "spec.isolation.nodeAffinity.pool", "node label value" },
        { "a node label key with a space", """{"nodeAffinity":{"pool name":"a"}}""", "spec.isolation.nodeAffinity.pool name", "node label key" },
        { "an unknown level", """{"level":"total"}""", "spec.isolation.level", "one of soft, hard, strict" },
    };

    [Theory]
    [MemberData(nameof(IsolationRefusals))]
    public async Task An_isolation_setting_that_would_have_no_effect_is_refused(string why, string isolation, string field, string rule)
    {
        var tenantId = $"iso-{Math.Abs(why.GetHashCode(StringComparison.Ordinal)) % 100000}";
        using var response = await tenants.PostJson(Document(tenantId, spec => spec["isolation"] = JsonNode.Parse(isolation)));

        var message = await SingleError(response, field);
        Assert.Contains(rule, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("soft-off", """{"level":"soft","networkPolicy":false}""")]
    [InlineData("strict-pool", """{"level":"strict","rbac":true,"nodeAffinity":{"gocoffee.dev/node-pool":"strict-pool"}}""")]
    [InlineData("hard-pool", """{"level":"hard","networkPolicy":true,"nodeAffinity":{"cloud.google.com/gke-nodepool":"tenants"}}""")]
    public async Task Isolation_settings_that_take_effect_are_accepted(string tenantId, string isolation)
    {
        using var response = await tenants.PostJson(Document(tenantId, spec => spec["isolation"] = JsonNode.Parse(isolation)));

        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{tenantId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static string Document(string tenantId, Action<JsonObject>? change = null)
    {
        var spec = new JsonObject
        {
            ["tenantId"] = tenantId,
            ["tier"] = "premium",
            ["resources"] = new JsonObject { ["namespaces"] = 1, ["cpu"] = "1", ["memory"] = "2Gi", ["storage"] = "5Gi" },
        };
        change?.Invoke(spec);
        return new JsonObject
        {
            ["apiVersion"] = "tenant.gocoffee.dev/v1",
            ["kind"] = "Tenant",
            ["metadata"] = new JsonObject { ["name"] = "rules-test" },
            ["spec"] = spec,
        }.ToJsonString();
    }

    /// <returns>The message of the one error the 400 problem lists for <paramref name="field"/>.</returns>
    private static async Task<string> SingleError(HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(text);
        var errors = problem.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"no error for '{field}' in {errors}");
        Assert.Contains(field, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        return messages.EnumerateArray().Single().GetString()!;
    }
}

/// <summary>
/// The same rules for a Tenant applied as a custom resource, and what isolation does to the namespaces at the (fake)
/// API server: Pod Security Admission labels chosen by the isolation level, and nodeAffinity as the namespaces' node selector.
/// </summary>
public sealed class TenantIsolationInTheClusterTests(PlatformWithTenantResources platform) : IClassFixture<PlatformWithTenantResources>
{
    [Theory]
    [InlineData("gocoffee-admin", "spec.tenantId", "reserved", null)]
    [InlineData("kube-public", "spec.tenantId", "reserved", null)]
    [InlineData("escalator", "spec.owners[0]", "system:", "group:system:authenticated")]
    public async Task A_tenant_resource_with_a_reserved_id_or_a_system_owner_is_refused_on_its_status(string tenantId, string field, string rule, string? owner)
    {
        var yaml = TenantDocuments.Yaml(tenantId, "basic", 1, owners: [owner ?? "alice@example.com"]);
        platform.Kubernetes.SeedYaml(yaml);

        var resource = await platform.WaitForResource(tenantId, r => Synced(r)?["status"]?.GetValue<string>() == "False", "the resource reports why it is not synced");
        var synced = Synced(resource)!;
        Assert.Equal("Invalid", (string?)synced["reason"]);
        Assert.Contains($"{field}: ", (string?)synced["message"], StringComparison.Ordinal);
        Assert.Contains(rule, (string?)synced["message"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await platform.Client.GetAsync($"/api/tenants/{tenantId}")).StatusCode);
        Assert.DoesNotContain(platform.Kubernetes.Objects("namespaces"), n => OnboardingWithFakeKubernetesTests.Label(n, "gocoffee.dev/tenant") == tenantId);
    }

    [Theory]
    [InlineData("psa-default", null, "restricted", null)]
    [InlineData("psa-soft", """{"level":"soft"}""", "baseline", null)]
    [InlineData("psa-hard", """{"level":"hard"}""", "restricted", null)]
    [InlineData("psa-strict", """{"level":"strict","nodeAffinity":{"gocoffee.dev/node-pool":"psa-strict","topology.kubernetes.io/zone":"europe-west1-b"}}""", "restricted", "gocoffee.dev/node-pool=psa-strict,topology.kubernetes.io/zone=europe-west1-b")]
    public async Task Onboarded_namespaces_carry_the_pod_security_level_of_the_isolation_level_and_the_node_selector_of_node_affinity(
        string tenantId, string? isolation, string enforce, string? nodeSelector)
    {
        var document = JsonNode.Parse(JsonSerializer.Serialize(new
        {
            apiVersion = "tenant.gocoffee.dev/v1",
            kind = "Tenant",
            metadata = new { name = tenantId },
            spec = new { tenantId, tier = "premium", resources = new { namespaces = 2, cpu = "2", memory = "4Gi", storage = "10Gi" }, owners = new[] { "alice@example.com" } },
        }))!;
        if (isolation is not null)
        {
            document["spec"]!["isolation"] = JsonNode.Parse(isolation);
        }

        using var created = await platform.Client.PostAsync("/api/tenants", new StringContent(document.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.True(created.StatusCode == HttpStatusCode.Accepted, $"{(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
        await platform.WaitForPhase(tenantId, "Active", TimeSpan.FromSeconds(60));

        var namespaces = Namespaces(tenantId);
        Assert.Equal([$"{tenantId}-1", $"{tenantId}-2"], namespaces.Select(OnboardingWithFakeKubernetesTests.Name).Order(StringComparer.Ordinal));
        Assert.All(namespaces, ns =>
        {
            Assert.Equal(enforce, OnboardingWithFakeKubernetesTests.Label(ns, "pod-security.kubernetes.io/enforce"));
            Assert.Equal("latest", OnboardingWithFakeKubernetesTests.Label(ns, "pod-security.kubernetes.io/enforce-version"));
            Assert.Equal("restricted", OnboardingWithFakeKubernetesTests.Label(ns, "pod-security.kubernetes.io/warn"));
            Assert.Equal("restricted", OnboardingWithFakeKubernetesTests.Label(ns, "pod-security.kubernetes.io/audit"));
            Assert.Equal(nodeSelector, (string?)ns["metadata"]?["annotations"]?["scheduler.alpha.kubernetes.io/node-selector"]);
        });
    }

    [Fact]
    public async Task Changing_the_isolation_level_relabels_the_namespaces_and_dropping_node_affinity_drops_the_node_selector()
    {
        const string tenantId = "psa-change";
        platform.Kubernetes.SeedYaml(TenantDocuments.Yaml(tenantId, "premium", 1, cpu: "1", memory: "2Gi", owners: ["alice@example.com"])
            + "\n  isolation:\n    level: strict\n    nodeAffinity:\n      gocoffee.dev/node-pool: psa-change\n");
        await platform.WaitForPhase(tenantId, "Active", TimeSpan.FromSeconds(60));
        Assert.Equal("gocoffee.dev/node-pool=psa-change", (string?)Namespaces(tenantId).Single()["metadata"]?["annotations"]?["scheduler.alpha.kubernetes.io/node-selector"]);

        platform.Kubernetes.Mutate(PlatformWithTenantResources.Resource, null, tenantId, r => r["spec"]!["isolation"] = new JsonObject { ["level"] = "soft" });

        await TestInfrastructure.Eventually(
            () => Task.FromResult(Namespaces(tenantId).Single() is var ns
                                  && OnboardingWithFakeKubernetesTests.Label(ns, "pod-security.kubernetes.io/enforce") == "baseline"
                                  && ns["metadata"]?["annotations"]?["scheduler.alpha.kubernetes.io/node-selector"] is null
                ? (bool?)true
                : null),
            TimeSpan.FromSeconds(60),
            "the namespace is relabelled baseline and loses its node selector");
    }

    private List<JsonObject> Namespaces(string tenantId) =>
        platform.Kubernetes.Objects("namespaces").Where(n => OnboardingWithFakeKubernetesTests.Label(n, "gocoffee.dev/tenant") == tenantId).ToList();

    private static JsonObject? Synced(JsonObject resource) =>
        (resource["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == "Synced");
}
