using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using GoCoffee.AiWorkload.Tests;
using GoCoffee.ClusterAgent.AiWorkloads;
using GoCoffee.Contracts.Ai;

// 1. 50 AI workloads posted at once → all Running (a loop plays the Deployment controller: a Deployment is marked
//    ready as soon as it exists), against applying the same objects straight to the fake API server, same run.
// 2. GPU utilisation changed at the exporter → the Deployment's replicas patched at the fake API server, with
//    Prometheus scraping every 250 ms and the autoscaler deciding every 200 ms.
var workloads = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 50;
var samples = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 30;
var platform = new GpuAutoscalerTests.Platform();
await platform.InitializeAsync();
try
{
    await platform.CreateTenant("bench", gpuQuota: 16);
    await platform.RegisterModel("bench", "coffee-recommendation", "v1");

    using var marking = new CancellationTokenSource();
    var controller = Task.Run(async () =>
    {
        while (!marking.IsCancellationRequested)
        {
            foreach (var deployment in platform.Kubernetes.Objects("deployments", "bench-1"))
            {
                var name = (string)deployment["metadata"]!["name"]!;
                var replicas = (int?)deployment["spec"]?["replicas"] ?? 1;
                if ((int?)deployment["status"]?["readyReplicas"] != replicas || (long?)deployment["status"]?["observedGeneration"] != (long?)deployment["metadata"]?["generation"])
                {
                    platform.MarkReady("bench-1", name);
                }
            }

            await Task.Delay(20);
        }
    });

    var burst = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, workloads).Select(i => platform.ApplyWorkload("bench", DeploymentTests.Workload($"w{i}", "v1", gpus: 0, min: 1, max: 1))));
    await Task.WhenAll(Enumerable.Range(0, workloads).Select(i => platform.WaitForPhase("bench", $"w{i}", "Running", TimeSpan.FromSeconds(120))));
    burst.Stop();

    // The same objects, applied directly (server-side apply), in the same run.
    using var client = new HttpClient { BaseAddress = platform.Kubernetes.BaseUri };
    var direct = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, workloads).Select(async i =>
    {
        var plan = new AiWorkloadPlan("bench", "bench-1", $"d{i}", 1, "inference", "coffee-recommendation", "v1", "onnx", "gs://b/m", "nvcr.io/nvidia/tritonserver:24.10-py3", 8000, [], "kserve/storage-initializer:v0.13.0", null, 0, "1", "2Gi", 1, 1, 1, 80, null);
        foreach (var manifest in AiWorkloadObjects.For(plan))
        {
            var reference = GoCoffee.ClusterAgent.Objects.Manifest.Reference(manifest);
            var plural = reference.Kind switch { "Deployment" => "apis/apps/v1", "Service" => "api/v1", "PodDisruptionBudget" => "apis/policy/v1", "NetworkPolicy" => "apis/networking.k8s.io/v1", _ => "apis/autoscaling/v2" };
            var resource = reference.Kind switch { "Deployment" => "deployments", "Service" => "services", "PodDisruptionBudget" => "poddisruptionbudgets", "NetworkPolicy" => "networkpolicies", _ => "horizontalpodautoscalers" };
            using var content = new StringContent(manifest.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/apply-patch+yaml"));
            var response = await client.PatchAsync($"/{plural}/namespaces/bench-1/{resource}/{reference.Name}?fieldManager=bench&force=true", content);
            response.EnsureSuccessStatusCode();
        }
    }));
    direct.Stop();

    // GPU-scaled latency: one workload, utilisation flips between 100 % and 5 % (target 50, max 2, no delays).
    Console.Error.WriteLine("measuring scale latency...");
    var scaled = DeploymentTests.Workload("scaled", "v1", gpus: 1, min: 1, max: 2).Replace("targetGPUUtilization: 70", "targetGPUUtilization: 50, scaleUpDelay: 0s, scaleDownDelay: 0s", StringComparison.Ordinal);
    await platform.ApplyWorkload("bench", scaled);
    await platform.WaitForPhase("bench", "scaled", "Running", TimeSpan.FromSeconds(60));
    var latencies = new List<double>();
    for (var i = 0; i < samples; i++)
    {
        var up = i % 2 == 0;
        var want = up ? 2 : 1;
        var watch = Stopwatch.StartNew();
        platform.Prometheus.SetUtilisation("bench-1", "scaled-abc", up ? 100 : 5);
        while ((int?)platform.Kubernetes.Get("deployments", "bench-1", "scaled")?["spec"]?["replicas"] != want)
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"sample {i}: replicas did not reach {want}");
            }

            await Task.Delay(5);
        }

        latencies.Add(watch.Elapsed.TotalMilliseconds);
    }

    marking.Cancel();
    await controller;
    latencies.Sort();
    double Percentile(double p) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
    Console.WriteLine($"burst: {workloads} workloads posted at once, all Running in {burst.Elapsed.TotalSeconds:F2} s");
    Console.WriteLine($"direct: the same {workloads * 5} objects (Deployment, Service, PDB, NetworkPolicy, HPA) applied straight to the fake API server in {direct.Elapsed.TotalSeconds:F2} s; ratio {burst.Elapsed.TotalSeconds / direct.Elapsed.TotalSeconds:F1}x");
    Console.WriteLine($"scale latency (exporter value changed → replicas patched), {latencies.Count} samples: p50 {Percentile(0.5):F0} ms, p90 {Percentile(0.9):F0} ms, p99 {Percentile(0.99):F0} ms, max {latencies[^1]:F0} ms (scrape 250 ms + autoscaler interval 200 ms)");
}
finally
{
    await platform.DisposeAsync();
}
