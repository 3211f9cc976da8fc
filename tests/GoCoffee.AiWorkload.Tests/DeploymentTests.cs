using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.Testing;

namespace GoCoffee.AiWorkload.Tests;

/// <summary>
/// The seed's AIWorkload, verbatim, through the API: reserved in the tenant's ledger, applied by the cluster-agent,
/// Running once the Deployment's replicas are ready; refusals and failures leave nothing behind.
/// </summary>
public sealed class DeploymentTests(AiPlatform platform) : IClassFixture<AiPlatform>
{
    private const string SeedNamespace = "seed-1";

    [Fact]
    public async Task The_seed_example_reaches_Running_with_one_t4_gpu_its_node_selector_toleration_and_replica_bounds()
    {
        await platform.CreateTenant("seed", gpuQuota: 4);
        var registered = await platform.RegisterModel("seed", "coffee-recommendation", "v2.1.0", "onnx", "gs://go-coffee-models/recommendation-v2.1.0");
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);

        var accepted = await platform.ApplyWorkload("seed", AiPlatform.Example("aiworkload-coffee-recommendation-ai.yaml"));
        Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, await accepted.Content.ReadAsStringAsync());

        var deployment = await TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Kubernetes.Get("deployments", SeedNamespace, "coffee-recommendation-ai")),
            TimeSpan.FromSeconds(30),
            "the cluster-agent applied the Deployment");
        var pod = deployment["spec"]!["template"]!["spec"]!;
        var server = pod["containers"]![0]!;
        Assert.Equal("1", (string?)server["resources"]!["limits"]!["nvidia.com/gpu"]);
        Assert.Equal("2000m", (string?)server["resources"]!["limits"]!["cpu"]);
        Assert.Equal("4Gi", (string?)server["resources"]!["limits"]!["memory"]);
        Assert.StartsWith("nvcr.io/nvidia/tritonserver", (string?)server["image"]);
        Assert.Equal("nvidia-tesla-t4", (string?)pod["nodeSelector"]!["cloud.google.com/gke-accelerator"]);
        Assert.Contains(pod["tolerations"]!.AsArray(), t => (string?)t!["key"] == "nvidia.com/gpu" && (string?)t["effect"] == "NoSchedule");
        var init = pod["initContainers"]![0]!;
        Assert.Equal("storage-initializer", (string?)init["name"]);
        Assert.Equal("gs://go-coffee-models/recommendation-v2.1.0", (string?)init["args"]![0]);
        Assert.Equal(1, (int?)deployment["spec"]!["replicas"]);
        // The agent applies the workload's objects one after another: the Deployment being there says nothing of the rest yet.
        foreach (var plural in new[] { "services", "poddisruptionbudgets", "networkpolicies" })
        {
            await TestInfrastructure.Eventually(
                () => Task.FromResult(platform.Kubernetes.Get(plural, SeedNamespace, "coffee-recommendation-ai")),
                TimeSpan.FromSeconds(30),
                $"the cluster-agent applied the {plural}");
        }

        // GPU-scaled: the service scales it, no HorizontalPodAutoscaler.
        Assert.Null(platform.Kubernetes.Get("horizontalpodautoscalers", SeedNamespace, "coffee-recommendation-ai"));
        Assert.Equal("1", (await platform.Quota("seed")).GetProperty("reserved").GetProperty("gpus").ToString());

        await platform.WaitForPhase("seed", "coffee-recommendation-ai", "Initializing");
        platform.MarkReady(SeedNamespace, "coffee-recommendation-ai");
        var running = await platform.WaitForPhase("seed", "coffee-recommendation-ai", "Running");
        var status = running.GetProperty("status");
        Assert.Equal(1, status.GetProperty("readyReplicas").GetInt32());
        Assert.True(status.GetProperty("modelStatus").GetProperty("loaded").GetBoolean());
        Assert.Equal("v2.1.0", status.GetProperty("modelStatus").GetProperty("version").GetString());
        Assert.Equal(1, running.GetProperty("spec").GetProperty("scaling").GetProperty("minReplicas").GetInt32());
        Assert.Equal(10, running.GetProperty("spec").GetProperty("scaling").GetProperty("maxReplicas").GetInt32());
        Assert.Contains(status.GetProperty("conditions").EnumerateArray(), c => c.GetProperty("type").GetString() == "Ready" && c.GetProperty("status").GetString() == "True");
    }

    [Fact]
    public async Task A_cpu_scaled_workload_gets_a_horizontal_pod_autoscaler_on_cpu()
    {
        await platform.CreateTenant("cpu", gpuQuota: 0, models: ["tabular"]);
        await platform.RegisterModel("cpu", "tabular", "v1", "sklearn");
        var accepted = await platform.ApplyWorkload("cpu", """
            apiVersion: ai.gocoffee.dev/v1
            kind: AIWorkload
            metadata: { name: tabular }
            spec:
              workloadType: inference
              model: { name: tabular, version: v1 }
              resources: { cpu: 500m, memory: 1Gi }
              scaling: { minReplicas: 2, maxReplicas: 5, targetCPUUtilization: 60 }
            """);
        Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, await accepted.Content.ReadAsStringAsync());
        var hpa = await TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Kubernetes.Get("horizontalpodautoscalers", "cpu-1", "tabular")),
            TimeSpan.FromSeconds(30),
            "the HorizontalPodAutoscaler is applied");
        Assert.Equal(2, (int?)hpa["spec"]!["minReplicas"]);
        Assert.Equal(5, (int?)hpa["spec"]!["maxReplicas"]);
        Assert.Equal(60, (int?)hpa["spec"]!["metrics"]![0]!["resource"]!["target"]!["averageUtilization"]);
        var deployment = platform.Kubernetes.Get("deployments", "cpu-1", "tabular")!;
        Assert.StartsWith("seldonio/mlserver", (string?)deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Null(deployment["spec"]!["template"]!["spec"]!["nodeSelector"]);
    }

    [Fact]
    public async Task A_failed_apply_releases_the_reservation_and_ends_Failed_naming_the_child_object_and_the_servers_message()
    {
        await platform.CreateTenant("broken", gpuQuota: 2);
        await platform.RegisterModel("broken", "coffee-recommendation", "v1");
        using var failure = platform.Kubernetes.FailNext("patch", "services", 422, "Service \"recommender\" is invalid: spec.ports[0].port: Invalid value", times: 10);
        var accepted = await platform.ApplyWorkload("broken", Workload("recommender", "v1", gpus: 1));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        var failed = await platform.WaitForPhase("broken", "recommender", "Failed");
        var synced = failed.GetProperty("status").GetProperty("conditions").EnumerateArray().Single(c => c.GetProperty("type").GetString() == "Synced");
        Assert.Equal("ChildObjectFailed", synced.GetProperty("reason").GetString());
        Assert.Contains("Service broken-1/recommender", synced.GetProperty("message").GetString());
        Assert.Contains("spec.ports[0].port", synced.GetProperty("message").GetString());
        await TestInfrastructure.Eventually(
            async () => (await platform.Quota("broken")).GetProperty("available").GetProperty("gpus").GetInt32() == 2 ? "released" : null,
            TimeSpan.FromSeconds(20),
            "the reservation is released");
        // What the apply created before the failure was removed again.
        Assert.Null(platform.Kubernetes.Get("deployments", "broken-1", "recommender"));
    }

    [Fact]
    public async Task Over_the_tenants_remaining_gpus_the_ledger_refuses_and_the_workload_fails_saying_how_many_are_left_creating_nothing()
    {
        await platform.CreateTenant("crowded", gpuQuota: 4);
        await platform.RegisterModel("crowded", "coffee-recommendation", "v1");
        Assert.Equal(HttpStatusCode.Accepted, (await platform.ApplyWorkload("crowded", Workload("first", "v1", gpus: 3))).StatusCode);
        await TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Kubernetes.Get("deployments", "crowded-1", "first")),
            TimeSpan.FromSeconds(30),
            "the first workload is applied");

        Assert.Equal(HttpStatusCode.Accepted, (await platform.ApplyWorkload("crowded", Workload("second", "v1", gpus: 2))).StatusCode);
        var failed = await platform.WaitForPhase("crowded", "second", "Failed");
        var ready = failed.GetProperty("status").GetProperty("conditions").EnumerateArray().Single(c => c.GetProperty("type").GetString() == "Ready");
        Assert.Equal("QuotaExceeded", ready.GetProperty("reason").GetString());
        Assert.Contains("1 GPUs left", ready.GetProperty("message").GetString());
        Assert.Null(platform.Kubernetes.Get("deployments", "crowded-1", "second"));
        Assert.Equal(3, (await platform.Quota("crowded")).GetProperty("reserved").GetProperty("gpus").GetInt32());
    }

    [Fact]
    public async Task Delete_removes_exactly_the_workloads_objects_and_releases_its_gpus()
    {
        await platform.CreateTenant("leaving", gpuQuota: 2);
        await platform.RegisterModel("leaving", "coffee-recommendation", "v1");
        await platform.ApplyWorkload("leaving", Workload("gone", "v1", gpus: 1));
        await platform.ApplyWorkload("leaving", Workload("stays", "v1", gpus: 1));
        await TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Kubernetes.Get("deployments", "leaving-1", "stays") is not null && platform.Kubernetes.Get("deployments", "leaving-1", "gone") is not null ? "both" : null),
            TimeSpan.FromSeconds(30),
            "both workloads are applied");

        var deleted = await platform.AiClient("leaving").DeleteAsync("/api/ai/workloads/gone");
        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        await TestInfrastructure.Eventually(
            async () => (await platform.AiClient("leaving").GetAsync("/api/ai/workloads/gone")).StatusCode == HttpStatusCode.NotFound ? "gone" : null,
            TimeSpan.FromSeconds(30),
            "the workload is deleted");
        foreach (var resource in new[] { "deployments", "services", "poddisruptionbudgets", "networkpolicies" })
        {
            Assert.Null(platform.Kubernetes.Get(resource, "leaving-1", "gone"));
            Assert.NotNull(platform.Kubernetes.Get(resource, "leaving-1", "stays"));
        }

        await TestInfrastructure.Eventually(
            async () => (await platform.Quota("leaving")).GetProperty("reserved").GetProperty("gpus").GetInt32() == 1 ? "released" : null,
            TimeSpan.FromSeconds(20),
            "the deleted workload's GPU is released");
    }

    public static string Workload(string name, string version, int gpus, string model = "coffee-recommendation", string gpuType = "nvidia-tesla-t4", int min = 1, int max = 3) => $$"""
        apiVersion: ai.gocoffee.dev/v1
        kind: AIWorkload
        metadata: { name: {{name}} }
        spec:
          workloadType: inference
          model: { name: {{model}}, version: {{version}} }
          resources:
            gpu: { type: {{gpuType}}, count: {{gpus}} }
            cpu: "1"
            memory: 2Gi
          scaling: { minReplicas: {{min}}, maxReplicas: {{max}}, targetGPUUtilization: 70 }
        """;
}
