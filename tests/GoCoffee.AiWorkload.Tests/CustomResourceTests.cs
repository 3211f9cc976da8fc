using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using GoCoffee.FakeKubernetes;
using GoCoffee.Testing;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace GoCoffee.AiWorkload.Tests;

/// <summary>
/// The AIWorkload custom resource applied with the real kubectl against the fake API server (with the shipped CRD):
/// the cluster-agent hands it to the ai-workload service for the tenant its namespace belongs to, the service takes it
/// as its API does (same rules, same saga), and the object's status is written back; kubectl delete deletes the
/// workload. Objects in namespaces the platform did not provision for a tenant, and invalid documents, are refused
/// on their status with nothing reserved or created.
/// </summary>
public sealed class CustomResourceTests(AiPlatform platform) : IClassFixture<AiPlatform>, IDisposable
{
    private const string Seed = "coffee-recommendation-ai";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly Kubectl _kubectl = new(platform.Kubernetes);

    public void Dispose() => _kubectl.Dispose();

    [Fact]
    public async Task The_seed_aiworkload_applied_with_kubectl_in_a_tenant_namespace_runs_with_its_status_written_back_and_kubectl_delete_removes_it()
    {
        await InstallCrd();
        await platform.CreateTenant("crseed", gpuQuota: 4);
        Assert.Equal(HttpStatusCode.Created, (await platform.RegisterModel("crseed", "coffee-recommendation", "v2.1.0", "onnx", "gs://go-coffee-models/recommendation-v2.1.0")).StatusCode);

        var applied = await _kubectl.RunAsync("apply", "-n", "crseed-1", "-f", Path.Combine(AppContext.BaseDirectory, "examples", "aiworkload-coffee-recommendation-ai.yaml"));
        Assert.Contains($"aiworkload.ai.gocoffee.dev/{Seed} created", applied, StringComparison.Ordinal);

        var deployment = await TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Kubernetes.Get("deployments", "crseed-1", Seed)),
            Timeout,
            "the cluster-agent applied the Deployment of the custom resource");
        var pod = deployment["spec"]!["template"]!["spec"]!;
        Assert.Equal("1", (string?)pod["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"]);
        Assert.Equal("nvidia-tesla-t4", (string?)pod["nodeSelector"]!["cloud.google.com/gke-accelerator"]);
        Assert.Equal("1", (await platform.Quota("crseed")).GetProperty("reserved").GetProperty("gpus").ToString());
        await StatusPhase("crseed-1", Seed, "Initializing");

        platform.MarkReady("crseed-1", Seed);
        var status = await StatusPhase("crseed-1", Seed, "Running");
        Assert.Equal(1, (int?)status["replicas"]);
        Assert.Equal(1, (int?)status["readyReplicas"]);
        Assert.True((bool?)status["modelStatus"]!["loaded"]);
        Assert.Equal("v2.1.0", (string?)status["modelStatus"]!["version"]);
        Assert.Equal(1L, (long?)status["observedGeneration"]);
        var ready = status["conditions"]!.AsArray().Single(c => (string?)c!["type"] == "Ready")!;
        Assert.Equal("True", (string?)ready["status"]);
        Assert.Equal(1L, (long?)ready["observedGeneration"]);
        Assert.Equal("Running", await _kubectl.RunAsync("get", "aiw", Seed, "-n", "crseed-1", "-o", "jsonpath={.status.phase}"));

        // The API sees the same workload, and does not let its own DELETE take a resource kubectl manages.
        var workload = await platform.Workload("crseed", Seed);
        Assert.Equal("Running", workload.GetProperty("status").GetProperty("phase").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await platform.AiClient("crseed").DeleteAsync($"/api/ai/workloads/{Seed}")).StatusCode);

        await _kubectl.RunAsync("delete", "aiw", Seed, "-n", "crseed-1");
        await TestInfrastructure.Eventually(
            async () => platform.Kubernetes.Get("deployments", "crseed-1", Seed) is null
                && platform.Kubernetes.Get("services", "crseed-1", Seed) is null
                && (await platform.AiClient("crseed").GetAsync($"/api/ai/workloads/{Seed}")).StatusCode == HttpStatusCode.NotFound ? "gone" : null,
            Timeout,
            "deleting the custom resource deletes the workload and its objects");
        await TestInfrastructure.Eventually(
            async () => (await platform.Quota("crseed")).GetProperty("reserved").GetProperty("gpus").ToString() == "0" ? "released" : null,
            Timeout,
            "its GPUs are released");
        Assert.Null(platform.Kubernetes.Get("poddisruptionbudgets", "crseed-1", Seed));
        Assert.Null(platform.Kubernetes.Get("networkpolicies", "crseed-1", Seed));
    }

    [Fact]
    public async Task An_aiworkload_in_a_namespace_the_platform_did_not_provision_for_a_tenant_is_refused_with_an_event_and_nothing_is_created()
    {
        await InstallCrd();
        await platform.CreateTenant("crowner", gpuQuota: 4);
        await platform.RegisterModel("crowner", "coffee-recommendation", "v2.1.0", "onnx", "gs://go-coffee-models/recommendation-v2.1.0");

        // A namespace nobody labelled, and one labelled by hand for the tenant but not named as the platform names its namespaces.
        platform.Kubernetes.SeedYaml("""
            apiVersion: v1
            kind: Namespace
            metadata: { name: rogue }
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: lookalike
              labels: { app.kubernetes.io/managed-by: gocoffee, gocoffee.dev/tenant: crowner }
            """);
        foreach (var ns in new[] { "rogue", "lookalike" })
        {
            await _kubectl.RunAsync("apply", "-n", ns, "-f", Path.Combine(AppContext.BaseDirectory, "examples", "aiworkload-coffee-recommendation-ai.yaml"));
        }

        foreach (var ns in new[] { "rogue", "lookalike" })
        {
            var status = await StatusPhase(ns, Seed, "Failed");
            var synced = status["conditions"]!.AsArray().Single(c => (string?)c!["type"] == "Synced")!;
            Assert.Equal("False", (string?)synced["status"]);
            Assert.Equal("NamespaceNotTenant", (string?)synced["reason"]);
            Assert.Contains($"namespace '{ns}'", (string?)synced["message"], StringComparison.Ordinal);
            var warning = platform.Kubernetes.Objects("events", ns).Single(e => (string?)e["involvedObject"]?["name"] == Seed);
            Assert.Equal("Warning", (string?)warning["type"]);
            Assert.Equal("NamespaceNotTenant", (string?)warning["reason"]);
            Assert.Equal("AIWorkload", (string?)warning["involvedObject"]!["kind"]);
            Assert.Null(platform.Kubernetes.Get("deployments", ns, Seed));
        }

        Assert.Equal(0, await WorkloadsOf("crowner"));
        Assert.Equal("0", (await platform.Quota("crowner")).GetProperty("reserved").GetProperty("gpus").ToString());
    }

    [Theory]
    [InlineData("crgpu", "nvidia-tesla-a100", "coffee-recommendation", "spec.resources.gpu.type")]
    [InlineData("crmodel", "nvidia-tesla-t4", "unknown-model", "spec.model.name")]
    public async Task An_invalid_aiworkload_is_refused_on_its_status_naming_the_field_and_nothing_is_reserved_or_created(string tenant, string gpuType, string model, string field)
    {
        await InstallCrd();
        await platform.CreateTenant(tenant, gpuQuota: 4, gpuTypes: ["nvidia-tesla-t4"]);
        await platform.RegisterModel(tenant, "coffee-recommendation", "v2.1.0", "onnx", "gs://go-coffee-models/recommendation-v2.1.0");
        var manifest = Path.Combine(_kubectl.Home, $"{tenant}.yaml");
        await File.WriteAllTextAsync(manifest, $$"""
            apiVersion: ai.gocoffee.dev/v1
            kind: AIWorkload
            metadata:
              name: refused
            spec:
              workloadType: inference
              model: { name: {{model}}, version: v2.1.0 }
              resources:
                gpu: { type: {{gpuType}}, count: 1 }
                cpu: 2
                memory: 4Gi
              scaling: { minReplicas: 1, maxReplicas: 2 }
            """);

        await _kubectl.RunAsync("apply", "-n", $"{tenant}-1", "-f", manifest);

        var status = await StatusPhase($"{tenant}-1", "refused", "Failed");
        var synced = status["conditions"]!.AsArray().Single(c => (string?)c!["type"] == "Synced")!;
        Assert.Equal("Invalid", (string?)synced["reason"]);
        Assert.StartsWith($"{field}: ", (string?)synced["message"], StringComparison.Ordinal);
        Assert.Equal(1L, (long?)status["observedGeneration"]);
        Assert.Null(platform.Kubernetes.Get("deployments", $"{tenant}-1", "refused"));
        Assert.Equal(0, await WorkloadsOf(tenant));
        Assert.Equal("0", (await platform.Quota(tenant)).GetProperty("reserved").GetProperty("gpus").ToString());
    }

    [Fact]
    public async Task A_model_registry_applied_with_kubectl_registers_its_versions_and_aliases_and_a_workload_deploys_through_its_alias()
    {
        await InstallCrd();
        await platform.CreateTenant("crreg", gpuQuota: 4);
        var manifest = Path.Combine(_kubectl.Home, "crreg-registry.yaml");
        await File.WriteAllTextAsync(manifest, """
            apiVersion: ai.gocoffee.dev/v1
            kind: ModelRegistry
            metadata:
              name: registry
            spec:
              models:
                - name: coffee-recommendation
                  version: v2.1.0
                  type: onnx
                  source: gs://go-coffee-models/recommendation-v2.1.0
                  performance: { accuracy: 0.93, latency: 12, throughput: 400 }
                - name: coffee-recommendation
                  version: v2.2.0
                  framework: onnx
                  source: gs://go-coffee-models/recommendation-v2.2.0
              aliases:
                coffee-recommendation: { production: v2.1.0, staging: v2.2.0 }
            """);

        await _kubectl.RunAsync("apply", "-n", "crreg-1", "-f", manifest);

        var status = await TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Kubernetes.Get("modelregistries", "crreg-1", "registry")?["status"] is JsonObject s && s["totalModels"] is not null ? s : null),
            Timeout,
            "the registry's status is written");
        Assert.Equal(2, (int?)status["totalModels"]);
        Assert.Equal(2, (int?)status["availableModels"]);
        Assert.Equal(1L, (long?)status["observedGeneration"]);
        Assert.Equal("True", (string?)status["conditions"]!.AsArray().Single(c => (string?)c!["type"] == "Synced")!["status"]);
        var model = await platform.AiClient("crreg").GetFromJsonAsync<System.Text.Json.JsonElement>("/api/ai/models/coffee-recommendation");
        Assert.Equal(2, model.GetProperty("versions").GetArrayLength());
        Assert.Equal("v2.1.0", model.GetProperty("aliases").GetProperty("production").GetString());
        Assert.Equal("kubernetes:modelregistry/crreg-1/registry", model.GetProperty("aliasHistory")[0].GetProperty("by").GetString());

        var workload = Path.Combine(_kubectl.Home, "crreg-workload.yaml");
        await File.WriteAllTextAsync(workload, AiPlatform.Example("aiworkload-coffee-recommendation-ai.yaml").Replace("version: v2.1.0", "version: production", StringComparison.Ordinal));
        await _kubectl.RunAsync("apply", "-n", "crreg-1", "-f", workload);
        var deployment = await TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Kubernetes.Get("deployments", "crreg-1", Seed)),
            Timeout,
            "the workload deployed through the registry's alias");
        Assert.Equal("gs://go-coffee-models/recommendation-v2.1.0", (string?)deployment["spec"]!["template"]!["spec"]!["initContainers"]![0]!["args"]![0]);
    }

    [Theory]
    [InlineData("crbadsrc", "ftp://models/bad-v1", "v1", "spec.models[1].source")]
    [InlineData("crbadalias", "gs://models/bad-v1", "v9", "spec.aliases.good.production")]
    public async Task A_model_registry_breaking_a_rule_is_refused_on_its_status_naming_the_field_and_registers_nothing(string tenant, string badSource, string aliasTarget, string field)
    {
        await InstallCrd();
        await platform.CreateTenant(tenant, gpuQuota: 4);
        var manifest = Path.Combine(_kubectl.Home, $"{tenant}.yaml");
        await File.WriteAllTextAsync(manifest, $$"""
            apiVersion: ai.gocoffee.dev/v1
            kind: ModelRegistry
            metadata:
              name: registry
            spec:
              models:
                - { name: good, version: v1, framework: onnx, source: "gs://models/good-v1" }
                - { name: bad, version: v1, framework: onnx, source: "{{badSource}}" }
              aliases:
                good: { production: {{aliasTarget}} }
            """);

        await _kubectl.RunAsync("apply", "-n", $"{tenant}-1", "-f", manifest);

        var synced = await TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Kubernetes.Get("modelregistries", $"{tenant}-1", "registry")?["status"]?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c!["type"] == "Synced")),
            Timeout,
            "the refusal is written to the registry's status");
        Assert.Equal("False", (string?)synced!["status"]);
        Assert.Equal("Invalid", (string?)synced["reason"]);
        Assert.StartsWith($"{field}: ", (string?)synced["message"], StringComparison.Ordinal);
        Assert.Equal(0, (int?)platform.Kubernetes.Get("modelregistries", $"{tenant}-1", "registry")!["status"]!["totalModels"]);
        Assert.Equal(HttpStatusCode.NotFound, (await platform.AiClient(tenant).GetAsync("/api/ai/models/good")).StatusCode);
    }

    [Fact]
    public async Task Deleting_a_model_registry_with_kubectl_removes_the_models_it_declared_except_one_a_workload_uses()
    {
        await InstallCrd();
        await platform.CreateTenant("crgone", gpuQuota: 4, models: ["coffee-recommendation", "ranker"]);
        var manifest = Path.Combine(_kubectl.Home, "crgone-registry.yaml");
        await File.WriteAllTextAsync(manifest, """
            apiVersion: ai.gocoffee.dev/v1
            kind: ModelRegistry
            metadata:
              name: registry
            spec:
              models:
                - { name: coffee-recommendation, version: v1, framework: onnx, source: "gs://go-coffee-models/recommendation-v1" }
                - { name: ranker, version: v1, framework: onnx, source: "gs://go-coffee-models/ranker-v1" }
              aliases:
                ranker: { production: v1 }
            """);
        await _kubectl.RunAsync("apply", "-n", "crgone-1", "-f", manifest);
        await TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Kubernetes.Get("modelregistries", "crgone-1", "registry")?["status"]?["totalModels"] is not null ? "synced" : null),
            Timeout,
            "the registry is applied");
        Assert.Equal(HttpStatusCode.Accepted, (await platform.ApplyWorkload("crgone", DeploymentTests.Workload("user", "v1", gpus: 1))).StatusCode);

        await _kubectl.RunAsync("delete", "-n", "crgone-1", "modelregistry", "registry");

        var client = platform.AiClient("crgone");
        await TestInfrastructure.Eventually(
            async () => (await client.GetAsync("/api/ai/models/ranker")).StatusCode == HttpStatusCode.NotFound ? "gone" : null,
            Timeout,
            "the model only the deleted registry declared is removed");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/ai/models/coffee-recommendation")).StatusCode);
        var removal = Assert.Single((await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/ai/models/ranker/removals")).EnumerateArray());
        Assert.Equal("kubernetes:modelregistry/crgone-1/registry", removal.GetProperty("removedBy").GetString());
        Assert.Equal("v1", removal.GetProperty("aliases").GetProperty("production").GetString());
    }

    [Fact]
    public async Task A_model_registry_objects_counts_follow_versions_archived_and_registered_through_the_api()
    {
        await InstallCrd();
        await platform.CreateTenant("crcount", gpuQuota: 4);
        var manifest = Path.Combine(_kubectl.Home, "crcount-registry.yaml");
        await File.WriteAllTextAsync(manifest, """
            apiVersion: ai.gocoffee.dev/v1
            kind: ModelRegistry
            metadata:
              name: registry
            spec:
              models:
                - { name: coffee-recommendation, version: v1, framework: onnx, source: "gs://go-coffee-models/recommendation-v1" }
                - { name: coffee-recommendation, version: v2, framework: onnx, source: "gs://go-coffee-models/recommendation-v2" }
            """);
        await _kubectl.RunAsync("apply", "-n", "crcount-1", "-f", manifest);
        await RegistryCounts("crcount-1", total: 2, available: 2);

        var client = platform.AiClient("crcount");
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/ai/models/coffee-recommendation/versions/v1/archive", null)).StatusCode);
        var status = await RegistryCounts("crcount-1", total: 2, available: 1);
        Assert.Equal("True", (string?)status["conditions"]!.AsArray().Single(c => (string?)c!["type"] == "Synced")!["status"]);

        Assert.Equal(HttpStatusCode.Created, (await platform.RegisterModel("crcount", "coffee-recommendation", "v3")).StatusCode);
        await RegistryCounts("crcount-1", total: 3, available: 2);
    }

    private Task<JsonObject> RegistryCounts(string ns, int total, int available) =>
        TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Kubernetes.Get("modelregistries", ns, "registry")?["status"] is JsonObject s && (int?)s["totalModels"] == total && (int?)s["availableModels"] == available ? s : null),
            Timeout,
            $"the ModelRegistry's status counts {total} versions, {available} available");

    private async Task InstallCrd()
    {
        foreach (var crd in new[] { "aiworkloads.ai.gocoffee.dev", "modelregistries.ai.gocoffee.dev" })
        {
            if (platform.Kubernetes.Get("apiextensions.k8s.io", "customresourcedefinitions", null, crd) is null)
            {
                await _kubectl.RunAsync("apply", "-f", Path.Combine(AppContext.BaseDirectory, "crds", $"{crd}.yaml"));
            }
        }
    }

    private Task<JsonObject> StatusPhase(string ns, string name, string phase) =>
        TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Kubernetes.Get("aiworkloads", ns, name)?["status"] is JsonObject status && (string?)status["phase"] == phase ? status : null),
            Timeout,
            $"AIWorkload {ns}/{name} has status phase {phase}");

    private async Task<int> WorkloadsOf(string tenant)
    {
        await using var session = platform.Ai.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.Query<Workloads.AiWorkload>().CountAsync(w => w.TenantId == tenant);
    }
}
