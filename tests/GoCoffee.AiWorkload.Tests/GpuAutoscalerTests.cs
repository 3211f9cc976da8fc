using System.Diagnostics;
using System.Net;
using System.Text.Json;
using GoCoffee.Testing;

namespace GoCoffee.AiWorkload.Tests;

/// <summary>
/// GPU-scaled workloads scaled by the ai-workload service from a real Prometheus scraping DCGM-named series, every
/// scale-up reserved in the tenant's ledger first.
/// </summary>
public sealed class GpuAutoscalerTests(GpuAutoscalerTests.Platform platform) : IClassFixture<GpuAutoscalerTests.Platform>
{
    public sealed class Platform : AiPlatform
    {
        public TestPrometheus Prometheus { get; private set; } = null!;

        protected override IDictionary<string, string?> AiSettings => new Dictionary<string, string?>
        {
            ["AiWorkloads:Autoscaler:PrometheusUrl"] = Prometheus.Address.ToString(),
            ["AiWorkloads:Autoscaler:Interval"] = "00:00:00.200",
        };

        protected override async Task PrepareAsync() => Prometheus = await TestPrometheus.Start();

        protected override async Task CleanUpAsync() => await Prometheus.DisposeAsync();
    }

    [Fact]
    public async Task Load_scales_up_to_the_maximum_and_low_load_scales_down_only_after_the_scale_down_delay()
    {
        await platform.CreateTenant("loaded", gpuQuota: 8);
        await platform.RegisterModel("loaded", "coffee-recommendation", "v1");
        var yaml = DeploymentTests.Workload("busy", "v1", gpus: 1, min: 1, max: 3).Replace("targetGPUUtilization: 70", "targetGPUUtilization: 50, scaleDownDelay: 3s", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, (await platform.ApplyWorkload("loaded", yaml)).StatusCode);
        await platform.WaitForPhase("loaded", "busy", "Initializing");
        platform.MarkReady("loaded-1", "busy");
        await platform.WaitForPhase("loaded", "busy", "Running");

        platform.Prometheus.SetUtilisation("loaded-1", "busy-abc", 100);
        await Replicas("loaded-1", "busy", 3);
        Assert.Equal(3, (await platform.Quota("loaded")).GetProperty("reserved").GetProperty("gpus").GetInt32());

        platform.Prometheus.SetUtilisation("loaded-1", "busy-abc", 5);
        await platform.Prometheus.WaitForValue("avg(DCGM_FI_DEV_GPU_UTIL{namespace=\"loaded-1\"})", 5);
        var low = Stopwatch.StartNew();
        await Replicas("loaded-1", "busy", 1);
        Assert.True(low.Elapsed >= TimeSpan.FromSeconds(2.5), $"scaled down after {low.Elapsed}, before the 3 s delay");
        await TestInfrastructure.Eventually(
            async () => (await platform.Quota("loaded")).GetProperty("reserved").GetProperty("gpus").GetInt32() == 1 ? "released" : null,
            TimeSpan.FromSeconds(20),
            "scale-down released the extra replicas' GPUs");
    }

    [Fact]
    public async Task Two_workloads_of_one_tenant_competing_for_4_gpus_never_hold_more_than_4()
    {
        await platform.CreateTenant("contended", gpuQuota: 4);
        await platform.RegisterModel("contended", "coffee-recommendation", "v1");
        foreach (var name in new[] { "left", "right" })
        {
            Assert.Equal(HttpStatusCode.Accepted, (await platform.ApplyWorkload("contended", DeploymentTests.Workload(name, "v1", gpus: 1, min: 1, max: 4))).StatusCode);
            await platform.WaitForPhase("contended", name, "Initializing");
            platform.MarkReady("contended-1", name);
            await platform.WaitForPhase("contended", name, "Running");
            platform.Prometheus.SetUtilisation("contended-1", $"{name}-abc", 100);
        }

        var deadline = Stopwatch.StartNew();
        var max = 0;
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            var total = Replicas("left") + Replicas("right");
            max = Math.Max(max, total);
            Assert.True(total <= 4, $"{total} replicas of 1 GPU each, above the quota of 4");
            if (total == 4)
            {
                break;
            }

            await Task.Delay(50);
        }

        Assert.Equal(4, max);
        Assert.Equal(4, (await platform.Quota("contended")).GetProperty("reserved").GetProperty("gpus").GetInt32());

        // Stays at 4 while the samples keep asking for more; the workload that wanted more says how many are left.
        var limited = await TestInfrastructure.Eventually(
            async () =>
            {
                foreach (var name in new[] { "left", "right" })
                {
                    var conditions = (await platform.Workload("contended", name)).GetProperty("status").GetProperty("conditions");
                    if (conditions.EnumerateArray().FirstOrDefault(c => c.GetProperty("type").GetString() == "QuotaLimited") is { ValueKind: JsonValueKind.Object } condition)
                    {
                        return condition.GetProperty("message").GetString();
                    }
                }

                return null;
            },
            TimeSpan.FromSeconds(20),
            "a workload reports the exhausted quota");
        Assert.Contains("0 GPUs left", limited);
        for (var i = 0; i < 20; i++)
        {
            Assert.True(Replicas("left") + Replicas("right") <= 4);
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Two_instances_of_the_service_scale_a_workload_as_one_does_reserving_each_replica_once()
    {
        await using var second = await platform.StartAi();
        using var ticks = new AutoscalerTicks();
        await platform.CreateTenant("twice", gpuQuota: 8);
        await platform.RegisterModel("twice", "coffee-recommendation", "v1");
        var yaml = DeploymentTests.Workload("shared", "v1", gpus: 1, min: 1, max: 3).Replace("targetGPUUtilization: 70", "targetGPUUtilization: 50, scaleDownDelay: 1s", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, (await platform.ApplyWorkload("twice", yaml)).StatusCode);
        await platform.WaitForPhase("twice", "shared", "Initializing");
        platform.MarkReady("twice-1", "shared");
        await platform.WaitForPhase("twice", "shared", "Running");

        platform.Prometheus.SetUtilisation("twice-1", "shared-abc", 100);
        await Replicas("twice-1", "shared", 3);

        // Both instances keep deciding on the same samples: nothing more is reserved or scaled.
        await ticks.WaitForMore(20);
        Assert.Equal(3, Replicas("shared", "twice-1"));
        Assert.Equal(3, (await platform.Quota("twice")).GetProperty("reserved").GetProperty("gpus").GetInt32());

        platform.Prometheus.SetUtilisation("twice-1", "shared-abc", 5);
        await Replicas("twice-1", "shared", 1);
        await TestInfrastructure.Eventually(
            async () => (await platform.Quota("twice")).GetProperty("reserved").GetProperty("gpus").GetInt32() == 1 ? "released" : null,
            TimeSpan.FromSeconds(20),
            "scale-down released the extra replicas' GPUs once");
    }

    /// <summary>Ticks of every GPU autoscaler in this process (<c>gocoffee.background.polls{loop="gpu-autoscaler"}</c>).</summary>
    private sealed class AutoscalerTicks : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private long _ticks;

        public AutoscalerTicks()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ServiceDefaults.Telemetry.SourceName && instrument.Name == "gocoffee.background.polls")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "loop" && tag.Value as string == "gpu-autoscaler")
                    {
                        Interlocked.Add(ref _ticks, value);
                    }
                }
            });
            _listener.Start();
        }

        public Task WaitForMore(long count)
        {
            var until = Interlocked.Read(ref _ticks) + count;
            return TestInfrastructure.Eventually(
                () => Task.FromResult(Interlocked.Read(ref _ticks) >= until ? "ticked" : null),
                TimeSpan.FromSeconds(30),
                $"{count} more autoscaler ticks");
        }

        public void Dispose() => _listener.Dispose();
    }

    private int Replicas(string name, string ns = "contended-1") => (int?)platform.Kubernetes.Get("deployments", ns, name)?["spec"]?["replicas"] ?? 0;

    private Task Replicas(string ns, string name, int replicas) =>
        TestInfrastructure.Eventually(
            () => Task.FromResult((int?)platform.Kubernetes.Get("deployments", ns, name)?["spec"]?["replicas"] == replicas ? "scaled" : null),
            TimeSpan.FromSeconds(30),
            $"{ns}/{name} has {replicas} replicas");
}
