using System.Diagnostics.Metrics;
using GoCoffee.ServiceDefaults;
using GoCoffee.Tenant.Lifecycle;
using GoCoffee.Tenant.Quotas;
using Marten;

namespace GoCoffee.Tenant.Metrics;

/// <summary>
/// Tenants on <c>/metrics</c>, read from the read models at most every 5 seconds (right after a restart, the same on
/// every replica):
/// <list type="bullet">
/// <item><c>gocoffee.tenant.phase</c> by <c>tenant</c> and <c>phase</c>: 1 for the tenant's phase, 0 for the others
/// (every phase has a series, as kube-state-metrics does for pods);</item>
/// <item><c>gocoffee.tenant.unchanged_for</c> by <c>tenant</c>: seconds since the tenant last changed (a tenant in
/// Provisioning that has not changed for long is stuck);</item>
/// <item><c>gocoffee.tenant.quota.hard</c> and <c>gocoffee.tenant.quota.used</c> by <c>tenant</c> and <c>resource</c>
/// (<c>cpu_millis</c>, <c>memory_bytes</c>, <c>storage_bytes</c>, <c>namespaces</c>, <c>gpus</c>): the tenant's
/// ledger, which every consumer of the quota reserves from.</item>
/// </list>
/// Deleted tenants are left out.
/// </summary>
internal sealed class TenantMetrics(IDocumentStore store, TimeProvider clock, ILogger<TenantMetrics> logger) : IHostedService, IDisposable
{
    private static readonly string[] Phases =
        [TenantPhase.Pending, TenantPhase.Provisioning, TenantPhase.Active, TenantPhase.Suspended, TenantPhase.Terminating, TenantPhase.Failed];

    private readonly Lock _lock = new();
    private Meter? _meter;
    private Reading _last = new(DateTime.MinValue, [], [], [], []);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _meter = new Meter(Telemetry.SourceName);
        _meter.CreateObservableGauge("gocoffee.tenant.phase", () => Read().Phase, description: "1 for the tenant's current phase, 0 for the other phases");
        _meter.CreateObservableGauge("gocoffee.tenant.unchanged_for", () => Read().UnchangedFor, unit: "s", description: "Seconds since the tenant last changed");
        _meter.CreateObservableGauge("gocoffee.tenant.quota.hard", () => Read().Hard, description: "The tenant's quota by resource (cpu_millis, memory_bytes, storage_bytes, namespaces, gpus)");
        _meter.CreateObservableGauge("gocoffee.tenant.quota.used", () => Read().Used, description: "The tenant's quota reserved or in use by resource");
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

    private static IEnumerable<(string Resource, long Amount)> ByResource(ResourceAmounts amounts) =>
    [
        ("cpu_millis", amounts.CpuMillis),
        ("memory_bytes", amounts.MemoryBytes),
        ("storage_bytes", amounts.StorageBytes),
        ("namespaces", amounts.Namespaces),
        ("gpus", amounts.Gpus),
    ];

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
                var tenants = session.Query<Lifecycle.Tenant>().Where(t => t.Phase != TenantPhase.Deleted).ToListAsync().GetAwaiter().GetResult();
                var ledgers = session.Query<TenantLedger>().ToListAsync().GetAwaiter().GetResult().ToDictionary(l => l.Id, StringComparer.Ordinal);
                var now = clock.GetUtcNow();
                var reading = new Reading(DateTime.UtcNow, [], [], [], []);
                foreach (var tenant in tenants)
                {
                    KeyValuePair<string, object?> id = new("tenant", tenant.Id);
                    reading.Phase.AddRange(Phases.Select(phase => new Measurement<int>(phase == tenant.Phase ? 1 : 0, id, new("phase", phase))));
                    reading.UnchangedFor.Add(new Measurement<double>(Math.Max(0, (now - tenant.UpdatedAt).TotalSeconds), id));
                    if (ledgers.GetValueOrDefault(tenant.Id) is { } ledger)
                    {
                        reading.Hard.AddRange(ByResource(ledger.Totals).Select(r => new Measurement<long>(r.Amount, id, new("resource", r.Resource))));
                        reading.Used.AddRange(ByResource(ledger.InUse).Select(r => new Measurement<long>(r.Amount, id, new("resource", r.Resource))));
                    }
                }

                _last = reading;
            }
            catch (Exception ex)
            {
                // The database is away: the last values stay (a scrape must not fail for it).
                logger.LogWarning(ex, "Reading the {Meter} gauges failed; the last values stay", nameof(TenantMetrics));
            }

            return _last;
        }
    }

    private sealed record Reading(
        DateTime At,
        List<Measurement<int>> Phase,
        List<Measurement<double>> UnchangedFor,
        List<Measurement<long>> Hard,
        List<Measurement<long>> Used);
}
