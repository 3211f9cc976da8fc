using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.Testing;

namespace GoCoffee.AiWorkload.Tests;

/// <summary>The model registry (immutable versions, recorded alias moves, archive, paged filtered listing) and rollouts when an alias moves.</summary>
public sealed class RegistryAndRolloutTests(AiPlatform platform) : IClassFixture<AiPlatform>
{
    [Fact]
    public async Task A_registered_version_never_changes_and_every_alias_move_is_recorded()
    {
        await platform.CreateTenant("registry", models: ["ranker"]);
        Assert.Equal(HttpStatusCode.Created, (await platform.RegisterModel("registry", "ranker", "v1", "onnx", "gs://b/ranker-1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await platform.RegisterModel("registry", "ranker", "v1", "onnx", "gs://b/ranker-1")).StatusCode);
        var changed = await platform.RegisterModel("registry", "ranker", "v1", "onnx", "gs://b/ranker-other");
        Assert.Equal(HttpStatusCode.Conflict, changed.StatusCode);
        Assert.Contains("version", (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        await platform.RegisterModel("registry", "ranker", "v2", "pytorch", "s3://b/ranker-2");
        await platform.RegisterModel("registry", "ranker", "v3", "onnx", "hf://org/ranker");

        var client = platform.AiClient("registry");
        Assert.Equal(HttpStatusCode.OK, (await Move(client, "ranker", "production", "v1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Move(client, "ranker", "production", "v2")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Move(client, "ranker", "staging", "v9")).StatusCode);
        var model = await client.GetFromJsonAsync<JsonElement>("/api/ai/models/ranker");
        var history = model.GetProperty("aliasHistory").EnumerateArray().ToList();
        Assert.Equal(2, history.Count);
        Assert.False(history[0].TryGetProperty("from", out var from) && from.ValueKind == JsonValueKind.String);
        Assert.Equal("v1", history[1].GetProperty("from").GetString());
        Assert.Equal("v2", history[1].GetProperty("to").GetString());
        Assert.Equal("test:tenant:registry", history[1].GetProperty("by").GetString());

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/ai/models/ranker/versions/v3/archive", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Move(client, "ranker", "staging", "v3")).StatusCode);

        Assert.Equal(["v1", "v3"], await Versions(client, "?framework=onnx"));
        Assert.Equal(["v2"], await Versions(client, "?alias=production"));
        Assert.Equal(["v3"], await Versions(client, "?archived=true"));
        var page = await client.GetFromJsonAsync<JsonElement>("/api/ai/models?pageSize=2&page=2");
        Assert.Equal(3, page.GetProperty("total").GetInt32());
        Assert.Single(page.GetProperty("items").EnumerateArray());
        var registry = await client.GetFromJsonAsync<JsonElement>("/api/ai/registry");
        Assert.Equal("ModelRegistry", registry.GetProperty("kind").GetString());
        Assert.Equal(3, registry.GetProperty("status").GetProperty("totalModels").GetInt32());
        Assert.Equal(2, registry.GetProperty("status").GetProperty("availableModels").GetInt32());

        // Another tenant sees none of it.
        await platform.CreateTenant("neighbour");
        Assert.Equal(HttpStatusCode.NotFound, (await platform.AiClient("neighbour").GetAsync("/api/ai/models/ranker")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await platform.AiClient("neighbour").GetAsync("/api/ai/models/ranker?tenantId=registry")).StatusCode);
    }

    [Fact]
    public async Task Removing_a_model_a_workload_uses_is_refused_naming_the_workload_and_an_unused_model_goes_with_its_versions_and_aliases_kept_for_audit()
    {
        await platform.CreateTenant("removing", gpuQuota: 2);
        var client = platform.AiClient("removing");
        await platform.RegisterModel("removing", "coffee-recommendation", "v1");
        await platform.RegisterModel("removing", "coffee-recommendation", "v2");
        Assert.Equal(HttpStatusCode.OK, (await Move(client, "coffee-recommendation", "production", "v1")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await platform.ApplyWorkload("removing", DeploymentTests.Workload("user", "production", gpus: 1))).StatusCode);
        await platform.WaitForPhase("removing", "user", "Initializing");

        var refused = await client.DeleteAsync("/api/ai/models/coffee-recommendation");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("removing-1/user", problem.GetProperty("errors").GetProperty("name")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/ai/models/coffee-recommendation")).StatusCode);

        Assert.Equal(HttpStatusCode.Accepted, (await client.DeleteAsync("/api/ai/workloads/user")).StatusCode);
        await TestInfrastructure.Eventually(
            async () => (await client.GetAsync("/api/ai/workloads/user")).StatusCode == HttpStatusCode.NotFound ? "gone" : null,
            TimeSpan.FromSeconds(30),
            "the workload is deleted");
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/ai/models/coffee-recommendation")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/ai/models/coffee-recommendation")).StatusCode);
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/api/ai/models")).GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync("/api/ai/models/coffee-recommendation")).StatusCode);
        var removal = Assert.Single((await client.GetFromJsonAsync<JsonElement>("/api/ai/models/coffee-recommendation/removals")).EnumerateArray());
        Assert.Equal(2, removal.GetProperty("versions").GetArrayLength());
        Assert.Equal("v1", removal.GetProperty("aliases").GetProperty("production").GetString());
        Assert.Equal("v1", removal.GetProperty("aliasHistory")[0].GetProperty("to").GetString());
        Assert.Equal("test:tenant:removing", removal.GetProperty("removedBy").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await platform.ApplyWorkload("removing", DeploymentTests.Workload("late", "v1", gpus: 1))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await platform.RegisterModel("removing", "coffee-recommendation", "v1", source: "gs://go-coffee-models/retrained-v1")).StatusCode);
    }

    [Fact]
    public async Task Moving_an_alias_rolls_the_workload_out_and_a_failed_rollout_leaves_the_previous_version_serving()
    {
        await platform.CreateTenant("rolling", gpuQuota: 2);
        await platform.RegisterModel("rolling", "coffee-recommendation", "v1");
        await platform.RegisterModel("rolling", "coffee-recommendation", "v2");
        await platform.RegisterModel("rolling", "coffee-recommendation", "v3");
        var client = platform.AiClient("rolling");
        await Move(client, "coffee-recommendation", "production", "v1");
        Assert.Equal(HttpStatusCode.Accepted, (await platform.ApplyWorkload("rolling", DeploymentTests.Workload("recs", "production", gpus: 1))).StatusCode);
        await platform.WaitForPhase("rolling", "recs", "Initializing");
        platform.MarkReady("rolling-1", "recs");
        await WaitForVersion("recs", "v1", previous: null);

        await Move(client, "coffee-recommendation", "production", "v2");
        await TestInfrastructure.Eventually(
            () => Task.FromResult(TemplateVersion("recs") == "v2" ? "rolled" : null),
            TimeSpan.FromSeconds(30),
            "the Deployment's template is rolled to v2");
        var rolling = await WaitForVersion("recs", "v2", previous: "v1");
        Assert.Equal("Running", rolling.GetProperty("phase").GetString());
        platform.MarkReady("rolling-1", "recs");
        await WaitForVersion("recs", "v2", previous: null);

        await Move(client, "coffee-recommendation", "production", "v3");
        await TestInfrastructure.Eventually(
            () => Task.FromResult(TemplateVersion("recs") == "v3" ? "rolled" : null),
            TimeSpan.FromSeconds(30),
            "the Deployment's template is rolled to v3");
        platform.Kubernetes.Mutate("deployments", "rolling-1", "recs", deployment =>
        {
            var status = (JsonObject)deployment["status"]!;
            status["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = "Progressing",
                ["status"] = "False",
                ["reason"] = "ProgressDeadlineExceeded",
                ["message"] = "ReplicaSet \"recs-7d9\" has timed out progressing.",
            });
        });
        var failed = await TestInfrastructure.Eventually(
            async () =>
            {
                var status = (await platform.Workload("rolling", "recs")).GetProperty("status");
                return status.GetProperty("conditions").EnumerateArray().Any(c => c.GetProperty("type").GetString() == "RolloutFailed") ? (JsonElement?)status : null;
            },
            TimeSpan.FromSeconds(30),
            "the failed rollout is reported");
        Assert.Equal("Running", failed!.Value.GetProperty("phase").GetString());
        Assert.Equal("v2", failed.Value.GetProperty("modelStatus").GetProperty("version").GetString());
        var condition = failed.Value.GetProperty("conditions").EnumerateArray().Single(c => c.GetProperty("type").GetString() == "RolloutFailed");
        Assert.Contains("timed out progressing", condition.GetProperty("message").GetString());
        Assert.Contains("v2 keeps serving", condition.GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_archived_version_keeps_running_with_a_condition_saying_so()
    {
        await platform.CreateTenant("archiving", gpuQuota: 1);
        await platform.RegisterModel("archiving", "coffee-recommendation", "v1");
        await platform.ApplyWorkload("archiving", DeploymentTests.Workload("old", "v1", gpus: 1));
        await platform.WaitForPhase("archiving", "old", "Initializing");
        platform.MarkReady("archiving-1", "old");
        await platform.WaitForPhase("archiving", "old", "Running");

        await platform.AiClient("archiving").PostAsync("/api/ai/models/coffee-recommendation/versions/v1/archive", null);
        var archived = await TestInfrastructure.Eventually(
            async () =>
            {
                var status = (await platform.Workload("archiving", "old")).GetProperty("status");
                return status.GetProperty("conditions").EnumerateArray().Any(c => c.GetProperty("type").GetString() == "ModelArchived") ? (JsonElement?)status : null;
            },
            TimeSpan.FromSeconds(30),
            "the workload says its version is archived");
        Assert.Equal("Running", archived!.Value.GetProperty("phase").GetString());
        Assert.NotNull(platform.Kubernetes.Get("deployments", "archiving-1", "old"));
    }

    private string? TemplateVersion(string name) =>
        (string?)platform.Kubernetes.Get("deployments", "rolling-1", name)?["spec"]?["template"]?["metadata"]?["annotations"]?["gocoffee.dev/model-version"];

    private async Task<JsonElement> WaitForVersion(string name, string version, string? previous) =>
        (await TestInfrastructure.Eventually(
            async () =>
            {
                var status = (await platform.Workload("rolling", name)).GetProperty("status");
                var model = status.GetProperty("modelStatus");
                var previousNow = model.TryGetProperty("previousVersion", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
                return model.TryGetProperty("version", out var v) && v.GetString() == version && previousNow == previous && model.GetProperty("loaded").GetBoolean() ? (JsonElement?)status : null;
            },
            TimeSpan.FromSeconds(30),
            $"{name} shows {version} loaded (previous {previous ?? "none"})"))!.Value;

    private static async Task<HttpResponseMessage> Move(HttpClient client, string model, string alias, string version)
    {
        using var content = new StringContent(JsonSerializer.Serialize(new { version }), Encoding.UTF8, "application/json");
        return await client.PutAsync($"/api/ai/models/{model}/aliases/{alias}", content);
    }

    private static async Task<string[]> Versions(HttpClient client, string query) =>
        [.. (await client.GetFromJsonAsync<JsonElement>("/api/ai/models" + query)).GetProperty("items").EnumerateArray().Select(v => v.GetProperty("version").GetString()!)];
}
