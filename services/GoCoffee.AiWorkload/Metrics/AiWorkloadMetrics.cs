using System.Diagnostics.Metrics;
using GoCoffee.ServiceDefaults;
using Marten;

namespace GoCoffee.AiWorkload.Metrics;

/// <summary>
/// AI workloads on <c>/metrics</c>, read from the workloads' documents at most every 5 seconds:
/// <c>gocoffee.ai.workload.replicas</c> by <c>tenant</c>, <c>workload</c> (namespace/name) and <c>state</c>
/// (<c>desired</c>, <c>ready</c>), and <c>gocoffee.ai.workload.gpus</c> by <c>tenant</c>, <c>workload</c> and
/// <c>gpu_type</c> (replicas × GPUs per replica). A tenant's GPU quota is the tenant service's
/// (<c>gocoffee.tenant.quota.*{resource="gpus"}</c>).
/// </summary>
internal sealed class AiWorkloadMetrics(IDocumentStore store, ILogger<AiWorkloadMetrics> logger) : IHostedService, IDisposable
{
    private readonly Lock _lock = new();
    private Meter? _meter;
    private Reading _last = new(DateTime.MinValue, [], []);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _meter = new Meter(Telemetry.SourceName);
        _meter.CreateObservableGauge("gocoffee.ai.workload.replicas", () => Read().Replicas, description: "AI workload replicas, desired and ready");
        _meter.CreateObservableGauge("gocoffee.ai.workload.gpus", () => Read().Gpus, description: "GPUs an AI workload holds: replicas × GPUs per replica");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _meter?.Dispose();
        _meter = null;
    }

    private Reading Read()
    {
        lock (_lock)
        {
            if (DateTime.UtcNow - _last.At < TimeSpan.FromSeconds(5))
            {
                return _last;
            }

            try
            {
                using var session = store.QuerySession();
                var reading = new Reading(DateTime.UtcNow, [], []);
                foreach (var workload in session.Query<Workloads.AiWorkload>().ToListAsync().GetAwaiter().GetResult())
                {
                    KeyValuePair<string, object?> tenant = new("tenant", workload.TenantId);
                    KeyValuePair<string, object?> name = new("workload", $"{workload.Namespace}/{workload.Name}");
                    reading.Replicas.Add(new Measurement<int>(workload.Status.Replicas, tenant, name, new("state", "desired")));
                    reading.Replicas.Add(new Measurement<int>(workload.Status.ReadyReplicas, tenant, name, new("state", "ready")));
                    var gpu = workload.Spec.Resources?.Gpu;
                    reading.Gpus.Add(new Measurement<int>(workload.Status.Replicas * (gpu?.Count ?? 0), tenant, name, new("gpu_type", gpu?.Type ?? "none")));
                }

                _last = reading;
            }
            catch (Exception ex)
            {
                // The database is away: the last values stay (a scrape must not fail for it).
                logger.LogWarning(ex, "Reading the {Meter} gauges failed; the last values stay", nameof(AiWorkloadMetrics));
            }

            return _last;
        }
    }

    private sealed record Reading(DateTime At, List<Measurement<int>> Replicas, List<Measurement<int>> Gpus);
}
