using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.Contracts.Tenants;
using GoCoffee.Testing;

namespace GoCoffee.Gateway.Tests;

/// <summary>
/// Who may change what on a tenant, through the gateway: every spec field × {the tenant's API key, a token scoped to the
/// tenant, a platform admin}. Each case starts from the same full spec (<see cref="Base"/>) and sends it back whole with
/// one field changed, so exactly that field differs. A tenant's own credential may change only what changes no price,
/// quota, isolation or access; everything else is refused with a 403 naming the field, and the tenant is unchanged.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class TenantSelfServiceTests(GatewayPlatform platform)
{
    public const string TenantApiKey = "tenant API key";
    public const string TenantJwt = "tenant JWT";
    public const string PlatformAdmin = "platform admin";

    /// <summary>Changed by its own callers; the tenant's admin-only fields are changed by the admin on another tenant.</summary>
    private const string SelfServed = "selfserve";
    private const string Operated = "operated";

    /// <summary>What a tenant may change about itself: nothing here changes a price, a quota, isolation or access.</summary>
    private static readonly HashSet<string> TenantEditable = ["displayName", "description", "billing.billingContact"];

    /// <summary>Every spec field with a change a platform admin may make to <see cref="Base"/> (a valid one on the premium tier).</summary>
    private static readonly Dictionary<string, Func<string, JsonNode?>> Changes = new()
    {
        ["tenantId"] = _ => "someone-else",
        ["displayName"] = _ => "Renamed by its owner",
        ["description"] = _ => "Roasts on Tuesdays",
        ["tier"] = _ => "enterprise",
        ["resources.namespaces"] = _ => 2,
        ["resources.cpu"] = _ => "2",
        ["resources.memory"] = _ => "4Gi",
        ["resources.storage"] = _ => "10Gi",
        ["resources.networkPolicies"] = _ => 10,
        ["resources.loadBalancers"] = _ => 1,
        ["isolation.level"] = _ => "hard",
        ["isolation.networkPolicy"] = _ => false,
        ["isolation.rbac"] = _ => true,
        ["isolation.nodeAffinity"] = id => new JsonObject { ["gocoffee.dev/node-pool"] = id },
        ["services.coffee.enabled"] = _ => false,
        ["services.coffee.features"] = _ => new JsonArray("custom-orders", "premium-blends"),
        ["services.ai.enabled"] = _ => true,
        ["services.ai.models"] = _ => new JsonArray("recommendation", "sentiment-analysis"),
        ["services.ai.gpuQuota"] = _ => 1,
        ["services.ai.gpuTypes"] = _ => new JsonArray("nvidia-tesla-t4"),
        ["services.web3.enabled"] = _ => true,
        ["services.web3.networks"] = _ => new JsonArray("ethereum", "polygon"),
        ["billing.plan"] = _ => "annual",
        ["billing.billingContact"] = id => $"accounts@{id}.example",
        ["billing.paymentMethod"] = _ => "card",
        ["billing.costCenter"] = _ => "cc-2",
        ["compliance.dataResidency"] = _ => "us",
        ["compliance.encryption"] = _ => false,
        ["compliance.auditLogging"] = _ => false,
        ["compliance.backupRetention"] = _ => "90d",
        ["owners"] = id => new JsonArray($"owner@{id}.example", "group:baristas"),
        ["preventDeletion"] = _ => true,
    };

    public static IEnumerable<object[]> Matrix() =>
        Changes.Keys.SelectMany(field => new[] { TenantApiKey, TenantJwt, PlatformAdmin }.Select(caller => new object[] { field, caller }));

    /// <summary>A tenant with every section given, on the premium tier, soft isolation (so network policies may go off).</summary>
    public static JsonObject Base(string tenantId) => new()
    {
        ["tenantId"] = tenantId,
        ["displayName"] = $"{tenantId} coffee",
        ["description"] = "A tenant of the self-service matrix",
        ["tier"] = "premium",
        ["resources"] = new JsonObject { ["namespaces"] = 1, ["cpu"] = "1", ["memory"] = "2Gi", ["storage"] = "5Gi", ["networkPolicies"] = 5, ["loadBalancers"] = 0 },
        ["isolation"] = new JsonObject { ["level"] = "soft", ["networkPolicy"] = true },
        ["services"] = new JsonObject
        {
            ["coffee"] = new JsonObject { ["enabled"] = true, ["features"] = new JsonArray("custom-orders") },
            ["ai"] = new JsonObject { ["enabled"] = false, ["models"] = new JsonArray("recommendation"), ["gpuQuota"] = 0 },
            ["web3"] = new JsonObject { ["enabled"] = false, ["networks"] = new JsonArray("ethereum") },
        },
        ["billing"] = new JsonObject { ["plan"] = "monthly", ["billingContact"] = $"billing@{tenantId}.example", ["paymentMethod"] = "invoice", ["costCenter"] = "cc-1" },
        ["compliance"] = new JsonObject { ["dataResidency"] = "eu", ["encryption"] = true, ["auditLogging"] = true, ["backupRetention"] = "30d" },
        ["owners"] = new JsonArray($"owner@{tenantId}.example"),
        ["preventDeletion"] = false,
    };

    [Fact]
    public void The_matrix_names_every_field_of_the_tenant_spec()
    {
        Assert.Equal(Leaves(typeof(TenantSpec), prefix: null).Order(StringComparer.Ordinal), Changes.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task A_spec_field_changes_only_when_the_caller_may_change_it(string field, string caller)
    {
        var tenantId = caller == PlatformAdmin ? Operated : SelfServed;
        await Reset(tenantId);
        var document = Base(tenantId);
        Set(document, field, Changes[field](tenantId));

        using var client = Client(caller, tenantId);
        using var response = await client.PatchAsync($"/api/tenants/{tenantId}", JsonContent.Create(document));

        var after = await Spec(tenantId);
        if (field == "tenantId")
        {
            var invalid = await Problem.Assert(response, HttpStatusCode.BadRequest);
            Assert.True(invalid.GetProperty("errors").TryGetProperty("tenantId", out _), invalid.ToString());
            AssertSameSpec(Base(tenantId), after);
        }
        else if (caller == PlatformAdmin || TenantEditable.Contains(field))
        {
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{caller} changing spec.{field}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            AssertSameSpec(document, after);
            await UntilApplied(tenantId);
        }
        else
        {
            var refused = await Problem.Assert(response, HttpStatusCode.Forbidden, $"spec.{field}: only a platform administrator may change it");
            Assert.Equal([$"spec.{field}"], refused.GetProperty("errors").EnumerateObject().Select(e => e.Name));
            AssertSameSpec(Base(tenantId), after);
        }
    }

    [Theory]
    [InlineData(TenantApiKey, "application/json")]
    [InlineData(TenantApiKey, "application/merge-patch+json")]
    [InlineData(TenantApiKey, "application/yaml")]
    [InlineData(TenantJwt, "application/json")]
    [InlineData(TenantJwt, "application/merge-patch+json")]
    [InlineData(TenantJwt, "application/yaml")]
    public async Task A_tenant_cannot_raise_its_tier_nor_add_an_owner_nor_switch_network_policies_off_in_any_patch_format(string caller, string mediaType)
    {
        await Reset(SelfServed);
        using var client = Client(caller, SelfServed);
        var attempts = new (string Json, string Yaml, string[] Fields)[]
        {
            ("""{"tier":"enterprise"}""", "tier: enterprise", ["spec.tier"]),
            ($$"""{"owners":["owner@{{SelfServed}}.example","group:system:authenticated"]}""", $"owners: [\"owner@{SelfServed}.example\", \"group:system:authenticated\"]", ["spec.owners"]),
            ("""{"isolation":{"level":"soft","networkPolicy":false}}""", "isolation:\n  level: soft\n  networkPolicy: false", ["spec.isolation.networkPolicy"]),
            ("""{"tier":"enterprise","displayName":"Big now","services":{"ai":{"enabled":true,"gpuQuota":2}}}""", "tier: enterprise\ndisplayName: Big now\nservices:\n  ai:\n    enabled: true\n    gpuQuota: 2", ["spec.services.ai.gpuQuota", "spec.services.ai.enabled", "spec.services.coffee.enabled", "spec.services.coffee.features", "spec.services.web3.enabled", "spec.services.web3.networks", "spec.services.ai.models", "spec.tier"]),
        };

        foreach (var (json, yaml, fields) in attempts)
        {
            using var body = new StringContent(mediaType.Contains("yaml", StringComparison.Ordinal) ? yaml : json, Encoding.UTF8, mediaType);
            using var response = await client.PatchAsync($"/api/tenants/{SelfServed}", body);
            var refused = await Problem.Assert(response, HttpStatusCode.Forbidden, "only a platform administrator may change it");
            Assert.Equal(fields.Order(StringComparer.Ordinal), refused.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        }

        AssertSameSpec(Base(SelfServed), await Spec(SelfServed));
    }

    [Theory]
    [InlineData(TenantApiKey, "application/json")]
    [InlineData(TenantApiKey, "application/yaml")]
    [InlineData(TenantJwt, "application/merge-patch+json")]
    public async Task A_tenant_sending_back_its_whole_spec_with_only_its_display_name_changed_succeeds(string caller, string mediaType)
    {
        await Reset(SelfServed);
        using var client = Client(caller, SelfServed);
        using var read = await client.GetAsync($"/api/tenants/{SelfServed}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var spec = JsonNode.Parse(await read.Content.ReadAsStringAsync())!["spec"]!.AsObject();
        spec["displayName"] = "Only the name changed";
        var text = spec.ToJsonString();
        if (mediaType.Contains("yaml", StringComparison.Ordinal))
        {
            // JSON is YAML 1.2; the YAML reader takes it as YAML.
            text = "# the whole spec, as read\n" + text;
        }

        using var response = await client.PatchAsync($"/api/tenants/{SelfServed}", new StringContent(text, Encoding.UTF8, mediaType));

        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var expected = Base(SelfServed);
        expected["displayName"] = "Only the name changed";
        AssertSameSpec(expected, await Spec(SelfServed));
        await UntilApplied(SelfServed);
    }

    [Theory]
    [InlineData(TenantApiKey)]
    [InlineData(TenantJwt)]
    public async Task A_tenant_cannot_reserve_commit_or_release_quota_of_its_own(string caller)
    {
        await Reset(SelfServed);
        using var client = Client(caller, SelfServed);
        var before = await platform.Tenants.Client.GetStringAsync($"/api/tenants/{SelfServed}/quota");

        using var reserve = await client.PostAsJsonAsync($"/api/tenants/{SelfServed}/quota/reservations", new { id = "mine", holder = "aiworkload/mine", cpu = "1" });
        await Problem.Assert(reserve, HttpStatusCode.Forbidden, "Only a platform administrator");
        using var commit = await client.PostAsync($"/api/tenants/{SelfServed}/quota/reservations/mine/commit", null);
        await Problem.Assert(commit, HttpStatusCode.Forbidden, "Only a platform administrator");
        using var release = await client.DeleteAsync($"/api/tenants/{SelfServed}/quota/reservations/mine");
        await Problem.Assert(release, HttpStatusCode.Forbidden, "Only a platform administrator");

        Assert.Equal(before, await platform.Tenants.Client.GetStringAsync($"/api/tenants/{SelfServed}/quota"));
    }

    [Theory]
    [InlineData(TenantApiKey)]
    [InlineData(TenantJwt)]
    public async Task A_tenant_listing_tenants_sees_only_its_own(string caller)
    {
        await platform.OnboardOnce(SelfServed, "premium");
        using var client = Client(caller, SelfServed);

        using var response = await client.GetAsync("/api/tenants?pageSize=100");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal([SelfServed], page["items"]!.AsArray().Select(item => (string?)item!["tenantId"]));
        Assert.Equal(1, (int)page["total"]!);

        using var admin = platform.AsPlatformAdmin();
        var all = JsonNode.Parse(await admin.GetStringAsync("/api/tenants?pageSize=100"))!;
        Assert.Contains("alpha", all["items"]!.AsArray().Select(item => (string?)item!["tenantId"]));
        Assert.True((int)all["total"]! > 1);
    }

    [Theory]
    [InlineData("group:system:authenticated", 1)]
    [InlineData("user:system:admin", 1)]
    [InlineData("system:serviceaccount:kube-system:default", 1)]
    [InlineData("SYSTEM:masters", 1)]
    public async Task Owners_may_not_name_kubernetes_system_users_or_groups_even_for_a_platform_admin(string owner, int index)
    {
        await Reset(Operated);
        using var admin = platform.AsPlatformAdmin();
        using var response = await admin.PatchAsync($"/api/tenants/{Operated}", JsonContent.Create(new { owners = new[] { $"owner@{Operated}.example", owner } }));

        var problem = await Problem.Assert(response, HttpStatusCode.BadRequest, $"spec.owners[{index}]");
        Assert.Contains("system:", problem.GetProperty("errors").GetProperty($"spec.owners[{index}]")[0].GetString(), StringComparison.Ordinal);
        AssertSameSpec(Base(Operated), await Spec(Operated));
    }

    private HttpClient Client(string caller, string tenantId) => caller switch
    {
        TenantApiKey => platform.AsTenant(tenantId),
        TenantJwt => platform.WithBearer(DevelopmentTokens.ForTenant(tenantId, $"{tenantId}-app")),
        _ => platform.AsPlatformAdmin(),
    };

    /// <summary>The tenant exists and holds <see cref="Base"/>, applied to the cluster (set straight at the tenant service, as a platform admin).</summary>
    private async Task Reset(string tenantId)
    {
        await platform.OnboardOnce(tenantId, "premium");
        await UntilApplied(tenantId);
        using var reset = await platform.Tenants.Client.PatchAsync($"/api/tenants/{tenantId}", JsonContent.Create(Base(tenantId)));
        Assert.True(reset.StatusCode == HttpStatusCode.Accepted, $"resetting {tenantId}: {(int)reset.StatusCode} {await reset.Content.ReadAsStringAsync()}");
        await UntilApplied(tenantId);
        AssertSameSpec(Base(tenantId), await Spec(tenantId));
    }

    /// <summary>The saga applied the tenant's latest generation to the cluster and it is Active again.</summary>
    private Task UntilApplied(string tenantId) =>
        TestInfrastructure.Eventually(
            async () =>
            {
                var tenant = JsonNode.Parse(await platform.Tenants.Client.GetStringAsync($"/api/tenants/{tenantId}"))!;
                return (string?)tenant["status"]!["phase"] == "Active" && (long?)tenant["status"]!["observedGeneration"] == (long?)tenant["metadata"]!["generation"] ? (bool?)true : null;
            },
            TimeSpan.FromSeconds(60),
            $"{tenantId}'s latest spec is applied");

    private async Task<JsonNode> Spec(string tenantId) =>
        JsonNode.Parse(await platform.Tenants.Client.GetStringAsync($"/api/tenants/{tenantId}"))!["spec"]!;

    private static void AssertSameSpec(JsonNode expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(WithoutNulls(expected), WithoutNulls(actual)), $"expected {expected.ToJsonString()}\n but the tenant holds {actual.ToJsonString()}");

    private static JsonNode? WithoutNulls(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.Where(p => p.Value is not null).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, WithoutNulls(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(WithoutNulls)]),
        _ => node?.DeepClone(),
    };

    private static void Set(JsonObject document, string field, JsonNode? value)
    {
        var parts = field.Split('.');
        var target = document;
        foreach (var part in parts[..^1])
        {
            target = target[part] as JsonObject ?? (JsonObject)(target[part] = new JsonObject());
        }

        target[parts[^1]] = value;
    }

    /// <summary>Every settable leaf of the model, camelCase, by walking its classes (so a field added later shows up here).</summary>
    private static IEnumerable<string> Leaves(Type type, string? prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            var path = prefix is null ? name : $"{prefix}.{name}";
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (propertyType.IsClass && propertyType.Namespace == typeof(TenantSpec).Namespace)
            {
                foreach (var leaf in Leaves(propertyType, path))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return path;
            }
        }
    }
}
