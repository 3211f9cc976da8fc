using System.Net;
using GoCoffee.Testing;

namespace GoCoffee.AiWorkload.Tests;

/// <summary>The ai-workload service's gauges on <c>/metrics</c>, which the AI dashboard queries.</summary>
public sealed class AiWorkloadMetricsTests(AiPlatform platform) : IClassFixture<AiPlatform>
{
    [Fact]
    public async Task A_running_workload_shows_its_desired_and_ready_replicas_and_the_gpus_it_holds()
    {
        await platform.CreateTenant("gauged", gpuQuota: 2);
        Assert.Equal(HttpStatusCode.Created, (await platform.RegisterModel("gauged", "coffee-recommendation", "1.0.0")).StatusCode);
        var accepted = await platform.ApplyWorkload("gauged", DeploymentTests.Workload("ranker", "1.0.0", gpus: 2, min: 1, max: 1));
        Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, await accepted.Content.ReadAsStringAsync());
        await platform.WaitForPhase("gauged", "ranker", "Initializing");
        platform.MarkReady("gauged-1", "ranker");
        await platform.WaitForPhase("gauged", "ranker", "Running");

        var metrics = await TestInfrastructure.Eventually(
            async () => await platform.Ai.AnonymousClient().GetStringAsync("/metrics") is { } text
                        && Value(text, "gocoffee_ai_workload_replicas", "tenant=\"gauged\"", "workload=\"gauged-1/ranker\"", "state=\"ready\"") == "1" ? text : null,
            TimeSpan.FromSeconds(20),
            "the workload's ready replicas show on /metrics");

        Assert.Equal("1", Value(metrics, "gocoffee_ai_workload_replicas", "tenant=\"gauged\"", "workload=\"gauged-1/ranker\"", "state=\"desired\""));
        Assert.Equal("2", Value(metrics, "gocoffee_ai_workload_gpus", "tenant=\"gauged\"", "workload=\"gauged-1/ranker\"", "gpu_type=\"nvidia-tesla-t4\""));
    }

    private static string? Value(string exposition, string name, params string[] labels) =>
        exposition.Split('\n')
            .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(line.Contains))
            .Select(line => line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0])
            .FirstOrDefault();
}
