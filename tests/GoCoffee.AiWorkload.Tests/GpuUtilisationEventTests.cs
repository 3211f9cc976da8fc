using System.Net;
using System.Text;
using System.Text.Json;
using GoCoffee.Testing;

namespace GoCoffee.AiWorkload.Tests;

/// <summary>
/// GPU utilisation as plain JSON events from an external collector, on the exchange <c>ai-workload-gpu-utilisation</c>:
/// a valid sample scales the workload as a Prometheus sample does (reserved in the tenant's ledger first); an invalid
/// one goes to <c>ai-workload-gpu-utilisation_error</c> with the reason and changes nothing. The schema is published.
/// </summary>
public sealed class GpuUtilisationEventTests(AiPlatform platform) : IClassFixture<AiPlatform>
{
    private const string ErrorQueue = "ai-workload-gpu-utilisation_error";

    [Fact]
    public async Task A_collectors_utilisation_event_scales_the_workload_up_within_the_tenants_quota()
    {
        await platform.CreateTenant("collected", gpuQuota: 4);
        await platform.RegisterModel("collected", "coffee-recommendation", "v1");
        await platform.ApplyWorkload("collected", DeploymentTests.Workload("busy", "v1", gpus: 1, min: 1, max: 3));
        await platform.WaitForPhase("collected", "busy", "Initializing");
        platform.MarkReady("collected-1", "busy");
        await platform.WaitForPhase("collected", "busy", "Running");

        await Publish(Sample("collected", "collected-1", "busy", 100));

        await TestInfrastructure.Eventually(
            () => Task.FromResult((int?)platform.Kubernetes.Get("deployments", "collected-1", "busy")?["spec"]?["replicas"] == 2 ? "two" : null),
            TimeSpan.FromSeconds(30),
            "100 % against a 70 % target scales one replica to two");
        Assert.Equal(2, (await platform.Quota("collected")).GetProperty("reserved").GetProperty("gpus").GetInt32());
        Assert.DoesNotContain((await platform.VirtualHost.PeekMessages(ErrorQueue, 200)).Select(m => m.Payload), payload => payload.Contains("\"collected\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Status_performance_reports_the_serving_versions_registered_metrics_and_the_last_gpu_utilisation()
    {
        await platform.CreateTenant("measured", gpuQuota: 4);
        using (var body = new StringContent("""{"name":"coffee-recommendation","version":"v1","framework":"onnx","source":"gs://go-coffee-models/recommendation-v1","performance":{"accuracy":0.93,"latency":12.5,"throughput":400}}""", Encoding.UTF8, "application/json"))
        {
            Assert.Equal(HttpStatusCode.Created, (await platform.AiClient("measured").PostAsync("/api/ai/models", body)).StatusCode);
        }

        await platform.ApplyWorkload("measured", DeploymentTests.Workload("gauged", "v1", gpus: 1, min: 1, max: 1));
        await platform.WaitForPhase("measured", "gauged", "Initializing");
        Assert.False((await platform.Workload("measured", "gauged")).GetProperty("status").TryGetProperty("performance", out var early) && early.ValueKind == JsonValueKind.Object, "no performance before the version serves");
        platform.MarkReady("measured-1", "gauged");
        var running = await platform.WaitForPhase("measured", "gauged", "Running");
        var performance = running.GetProperty("status").GetProperty("performance");
        Assert.Equal("12.5ms", performance.GetProperty("averageLatency").GetString());
        Assert.Equal(400, performance.GetProperty("throughput").GetDouble());

        await Publish(Sample("measured", "measured-1", "gauged", 42.4));

        var gpu = await TestInfrastructure.Eventually(
            async () => (await platform.Workload("measured", "gauged")).GetProperty("status").GetProperty("performance").TryGetProperty("resourceUtilization", out var used) && used.TryGetProperty("gpu", out var value) && value.ValueKind == JsonValueKind.Number ? (double?)value.GetDouble() : null,
            TimeSpan.FromSeconds(30),
            "the sample's GPU utilisation reaches the status");
        Assert.Equal(42, gpu);
        Assert.Equal("12.5ms", (await platform.Workload("measured", "gauged")).GetProperty("status").GetProperty("performance").GetProperty("averageLatency").GetString());
    }

    public static TheoryData<string, string, string> InvalidEvents => new()
    {
        { "utilisation above 100", """{"tenantId":"strays","namespace":"strays-1","workload":"w","gpuUtilisation":150,"at":"2026-01-01T00:00:00Z"}""", "/gpuUtilisation" },
        { "a required field missing", """{"tenantId":"strays","namespace":"strays-1","gpuUtilisation":50,"at":"2026-01-01T00:00:00Z"}""", "workload" },
        { "an unknown field", """{"tenantId":"strays","namespace":"strays-1","workload":"w","gpuUtilisation":50,"at":"2026-01-01T00:00:00Z","replicas":9}""", "replicas" },
        { "a key given twice", """{"tenantId":"strays","namespace":"strays-1","workload":"w","gpuUtilisation":5,"gpuUtilisation":99,"at":"2026-01-01T00:00:00Z"}""", "/gpuUtilisation: given twice" },
        { "not JSON", "utilisation=99", "is an invalid start of a value" },
        { "no such workload", """{"tenantId":"strays","namespace":"strays-1","workload":"nowhere","gpuUtilisation":50,"at":"2026-01-01T00:00:00Z"}""", "workload: tenant 'strays' has no AI workload strays-1/nowhere" },
    };

    [Theory]
    [MemberData(nameof(InvalidEvents))]
    public async Task An_invalid_utilisation_event_goes_to_the_error_queue_with_the_reason(string name, string json, string reason)
    {
        var marked = json.StartsWith('{') ? json : $"{json} {Guid.NewGuid():N}";
        await Publish(marked);

        var rejected = await TestInfrastructure.Eventually(
            async () => (await platform.VirtualHost.PeekMessages(ErrorQueue, 200)).FirstOrDefault(m => m.Payload == marked),
            TimeSpan.FromSeconds(30),
            $"{name}: the event reaches {ErrorQueue}");
        Assert.False(string.IsNullOrEmpty(rejected.FaultMessage), $"{name}: the error queue names no reason");
        Assert.Contains(reason, rejected.FaultMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_event_schema_is_published_without_a_credential()
    {
        using var anonymous = new HttpClient { BaseAddress = platform.Ai.Client.BaseAddress };
        var response = await anonymous.GetAsync("/api/ai/schemas/gpu-utilisation.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/schema+json", response.Content.Headers.ContentType?.MediaType);
        using var schema = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["tenantId", "namespace", "workload", "gpuUtilisation", "at"], schema.RootElement.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
    }

    private static string Sample(string tenant, string ns, string workload, double utilisation) =>
        JsonSerializer.Serialize(new { tenantId = tenant, @namespace = ns, workload, gpuUtilisation = utilisation, at = DateTimeOffset.UtcNow });

    /// <summary>Publishes as a collector does: plain JSON on the exchange <c>ai-workload-gpu-utilisation</c>.</summary>
    private async Task Publish(string json)
    {
        Assert.True(await platform.VirtualHost.PublishJson("ai-workload-gpu-utilisation", json), "the event reached the ai-workload-gpu-utilisation queue");
    }
}
