using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoCoffee.Testing;

namespace GoCoffee.Tenant.Tests;

public sealed class TenantApiTests(TenantHost tenants) : IClassFixture<TenantHost>
{
    [Fact]
    public async Task Seed_enterprise_tenant_yaml_is_accepted_verbatim()
    {
        using var response = await tenants.PostYaml(SeedDocuments.EnterpriseTenantYaml);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("/api/tenants/ent-customer-1", response.Headers.Location?.ToString());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var tenant = body.RootElement.GetProperty("tenant");
        Assert.Equal("enterprise-customer-1", tenant.GetProperty("metadata").GetProperty("name").GetString());
        Assert.Equal("40Gi", tenant.GetProperty("spec").GetProperty("resources").GetProperty("memory").GetString());
        Assert.Equal(4, tenant.GetProperty("spec").GetProperty("services").GetProperty("ai").GetProperty("gpuQuota").GetInt32());
        Assert.StartsWith("gck_", body.RootElement.GetProperty("apiKey").GetProperty("key").GetString());

        var read = await tenants.Client.GetFromJsonAsync<JsonElement>("/api/tenants/ent-customer-1");
        Assert.Equal("enterprise", read.GetProperty("spec").GetProperty("tier").GetString());
        Assert.Contains(read.GetProperty("status").GetProperty("phase").GetString(), new[] { "Pending", "Provisioning" });
    }

    [Fact]
    public async Task Existing_tenant_is_a_conflict_unless_the_same_request_repeats_with_its_idempotency_key()
    {
        var document = Document("repeat-me", "basic");
        using var first = await tenants.PostJson(document, idempotencyKey: "k-1");
        using var repeated = await tenants.PostJson(document, idempotencyKey: "k-1");
        using var otherBody = await tenants.PostJson(Document("repeat-me", "premium"), idempotencyKey: "k-1");
        using var noKey = await tenants.PostJson(document);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, repeated.StatusCode);
        using var replay = JsonDocument.Parse(await repeated.Content.ReadAsStringAsync());
        Assert.True(replay.RootElement.GetProperty("replayed").GetBoolean());
        Assert.False(replay.RootElement.GetProperty("apiKey").TryGetProperty("key", out var secret) && secret.ValueKind != JsonValueKind.Null, "a key is shown once, never on a replay");
        await AssertProblem(otherBody, HttpStatusCode.Conflict, "Idempotency-Key");
        await AssertProblem(noKey, HttpStatusCode.Conflict, "spec.tenantId");
    }

    [Fact]
    public async Task Concurrent_identical_requests_with_one_idempotency_key_create_one_tenant()
    {
        var document = Document("racer", "basic");
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => tenants.PostJson(document, idempotencyKey: "race")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.Single(responses, r => !r.Headers.Contains("Idempotency-Replayed"));
        var audit = await tenants.Client.GetFromJsonAsync<JsonElement>("/api/tenants/racer/audit");
        Assert.Single(audit.EnumerateArray(), e => e.GetProperty("event").GetString() == "tenant_created");
    }

    [Fact]
    public async Task Tenants_are_listed_in_pages_and_bad_paging_is_refused()
    {
        foreach (var id in new[] { "page-a", "page-b", "page-c" })
        {
            using var created = await tenants.PostJson(Document(id, "free"));
            Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        }

        var page = await tenants.Client.GetFromJsonAsync<JsonElement>("/api/tenants?page=1&pageSize=2");
        Assert.Equal(2, page.GetProperty("items").GetArrayLength());
        Assert.True(page.GetProperty("total").GetInt32() >= 3);

        await AssertProblem(await tenants.Client.GetAsync("/api/tenants?pageSize=500"), HttpStatusCode.BadRequest, "pageSize");
        await AssertProblem(await tenants.Client.GetAsync("/api/tenants?page=0"), HttpStatusCode.BadRequest, "page");
    }

    [Fact]
    public async Task Quota_ledger_reserves_commits_and_releases_and_refuses_more_than_is_left()
    {
        using var created = await tenants.PostJson(Document("ledger", "premium", cpu: "8", memory: "16Gi", gpus: 2));
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);

        using var first = await tenants.Client.PostAsJsonAsync("/api/tenants/ledger/quota/reservations", new { id = "r1", holder = "aiworkload/a", cpu = "6", memory = "8Gi", gpu = new { type = "nvidia-tesla-t4", count = 2 } });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        using var tooMuch = await tenants.Client.PostAsJsonAsync("/api/tenants/ledger/quota/reservations", new { id = "r2", holder = "aiworkload/b", cpu = "4" });
        var problem = await AssertProblem(tooMuch, HttpStatusCode.Conflict, "cpu");
        Assert.Contains("only 2 available", problem);

        using var wrongGpu = await tenants.Client.PostAsJsonAsync("/api/tenants/ledger/quota/reservations", new { id = "r3", holder = "aiworkload/c", gpu = new { type = "nvidia-tesla-a100", count = 1 } });
        await AssertProblem(wrongGpu, HttpStatusCode.Conflict, "gpu.type");

        using var badQuantity = await tenants.Client.PostAsJsonAsync("/api/tenants/ledger/quota/reservations", new { holder = "x", cpu = "a lot" });
        await AssertProblem(badQuantity, HttpStatusCode.BadRequest, "cpu");

        Assert.Equal(HttpStatusCode.OK, (await tenants.Client.PostAsync("/api/tenants/ledger/quota/reservations/r1/commit", null)).StatusCode);
        var usage = await tenants.Client.GetFromJsonAsync<JsonElement>("/api/tenants/ledger/quota");
        Assert.Equal("6", usage.GetProperty("committed").GetProperty("cpu").GetString());
        Assert.Equal("2", usage.GetProperty("available").GetProperty("cpu").GetString());

        Assert.Equal(HttpStatusCode.OK, (await tenants.Client.DeleteAsync("/api/tenants/ledger/quota/reservations/r1")).StatusCode);
        usage = await tenants.Client.GetFromJsonAsync<JsonElement>("/api/tenants/ledger/quota");
        Assert.Equal("8", usage.GetProperty("available").GetProperty("cpu").GetString());
        Assert.Equal(2, usage.GetProperty("available").GetProperty("gpus").GetInt32());
    }

    [Fact]
    public async Task Audit_trail_says_what_changed_who_and_when()
    {
        using var created = await tenants.PostJson(Document("audited", "basic"));
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);

        var audit = await TestInfrastructure.Eventually(
            async () =>
            {
                var entries = await tenants.Client.GetFromJsonAsync<JsonElement>("/api/tenants/audited/audit");
                return entries.EnumerateArray().Any(e => e.GetProperty("event").GetString() == "provisioning_started") ? (JsonElement?)entries : null;
            },
            TimeSpan.FromSeconds(15),
            "the lifecycle saga records that provisioning started");

        var events = audit!.Value.EnumerateArray().ToList();
        Assert.Equal("tenant_created", events[0].GetProperty("event").GetString());
        Assert.Equal(PlatformHost.PlatformAdminActor, events[0].GetProperty("by").GetString());
        Assert.Contains(events, e => e.GetProperty("by").GetString() == "system:tenant-lifecycle");
        Assert.All(events, e => Assert.True(e.GetProperty("at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5)));
    }

    [Fact]
    public async Task Changing_suspending_or_deleting_a_tenant_that_is_not_active_is_a_conflict_naming_the_phase()
    {
        using var created = await tenants.PostJson(Document("not-yet", "premium"));
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);

        using var change = await tenants.Client.PatchAsync("/api/tenants/not-yet", JsonContent.Create(new { tier = "enterprise" }));
        await AssertProblem(change, HttpStatusCode.Conflict, "status.phase");
        await AssertProblem(await tenants.Client.PostAsync("/api/tenants/not-yet/suspend", JsonContent.Create(new { reason = "x" })), HttpStatusCode.Conflict, "status.phase");
        await AssertProblem(await tenants.Client.DeleteAsync("/api/tenants/not-yet"), HttpStatusCode.Conflict, "status.phase");
        Assert.Equal(HttpStatusCode.NotFound, (await tenants.Client.GetAsync("/api/tenants/nobody")).StatusCode);
    }

    [Fact]
    public async Task Api_keys_are_shown_once_stored_as_hashes_and_can_be_revoked()
    {
        using var created = await tenants.PostJson(Document("keyed", "basic"));
        using var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var plainKey = body.RootElement.GetProperty("apiKey").GetProperty("key").GetString()!;
        var keyId = body.RootElement.GetProperty("apiKey").GetProperty("id").GetString()!;

        var keys = await tenants.Client.GetStringAsync("/api/tenants/keyed/api-keys");
        Assert.DoesNotContain(plainKey, keys);
        Assert.Contains("Pending", keys);

        using var revoked = await tenants.Client.DeleteAsync($"/api/tenants/keyed/api-keys/{keyId}");
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Contains("Revoked", await revoked.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await tenants.Client.PostAsync($"/api/tenants/keyed/api-keys/{keyId}/rotate", null)).StatusCode);
    }

    internal static string Document(string id, string tier, string cpu = "1", string memory = "2Gi", int gpus = 0) =>
        JsonSerializer.Serialize(new
        {
            apiVersion = "tenant.gocoffee.dev/v1",
            kind = "Tenant",
            metadata = new { name = id },
            spec = new
            {
                tenantId = id,
                tier,
                resources = new { namespaces = 1, cpu, memory, storage = "5Gi" },
                services = gpus > 0 ? new { ai = new { enabled = true, gpuQuota = gpus } } : null,
                owners = new[] { "alice@example.com", "group:baristas" },
            },
        }, new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });

    internal static async Task<string> AssertProblem(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(text);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), $"no error for '{field}' in {text}");
        return text;
    }
}
