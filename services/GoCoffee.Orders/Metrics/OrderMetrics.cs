using System.Diagnostics.Metrics;
using GoCoffee.ServiceDefaults;
using Npgsql;

namespace GoCoffee.Orders.Metrics;

/// <summary>
/// Business metrics on <c>/metrics</c>: orders by tenant and status and revenue by tenant and currency (read from the
/// orders themselves, so they are right after a restart and across replicas), payment attempts and failures and time from placement
/// to ready (recorded where they happen).
/// </summary>
public sealed class OrderMetrics
{
    private static readonly Counter<long> PaymentFailures = Telemetry.Meter.CreateCounter<long>(
        "gocoffee.orders.payment.failures", description: "Card payments that failed: declined, failed second step, provider timeout");

    private static readonly Counter<long> PaymentAttempts = Telemetry.Meter.CreateCounter<long>(
        "gocoffee.orders.payment.attempts", description: "Card payments sent to a provider (what the failure rate is a share of)");

    private static readonly Histogram<double> ToReady = Telemetry.Meter.CreateHistogram<double>(
        "gocoffee.orders.placement_to_ready", unit: "s", description: "Time from placing an order to the shop marking it ready",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [30, 60, 120, 180, 300, 420, 600, 900, 1200, 1800, 3600] });

    private readonly NpgsqlDataSource _database;
    private readonly string _table;
    private readonly Lock _lock = new();
    private (DateTime At, List<Measurement<long>> ByStatus, List<Measurement<double>> Revenue) _cache = (DateTime.MinValue, [], []);

    public OrderMetrics(NpgsqlDataSource database, string schema)
    {
        _database = database;
        _table = $"{schema}.mt_doc_orderstate";
        Telemetry.Meter.CreateObservableGauge("gocoffee.orders.by_status", () => Read().ByStatus, description: "Orders by tenant and current status");
        Telemetry.Meter.CreateObservableGauge("gocoffee.orders.revenue", () => Read().Revenue, description: "Money taken (paid minus refunded) by tenant and currency");
    }

    public static void PaymentAttempted(string tenantId, string provider) =>
        PaymentAttempts.Add(1, new("tenant", tenantId), new("provider", provider));

    public static void PaymentFailed(string tenantId, string provider, string reason) =>
        PaymentFailures.Add(1, new("tenant", tenantId), new("provider", provider), new("reason", reason));

    public static void PlacementToReady(string tenantId, double seconds) => ToReady.Record(seconds, new KeyValuePair<string, object?>("tenant", tenantId));

    /// <summary>One query per scrape at most every 5 seconds; a database that is down leaves the last values.</summary>
    private (DateTime At, List<Measurement<long>> ByStatus, List<Measurement<double>> Revenue) Read()
    {
        lock (_lock)
        {
            if (DateTime.UtcNow - _cache.At < TimeSpan.FromSeconds(5))
            {
                return _cache;
            }

            var byStatus = new List<Measurement<long>>();
            var revenue = new List<Measurement<double>>();
            try
            {
                using var connection = _database.OpenConnection();
                using (var command = new NpgsqlCommand($"select data->>'TenantId', data->>'CurrentState', count(*) from {_table} group by 1, 2", connection))
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        byStatus.Add(new Measurement<long>(reader.GetInt64(2), new("tenant", reader.GetString(0)), new("status", reader.GetString(1))));
                    }
                }

                using (var command = new NpgsqlCommand(
                    $"select data->>'TenantId', data->>'Currency', sum((data->>'PaidAmount')::numeric - (data->>'RefundedAmount')::numeric) from {_table} where data->>'PaymentId' is not null group by 1, 2",
                    connection))
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        revenue.Add(new Measurement<double>((double)reader.GetDecimal(2), new("tenant", reader.GetString(0)), new("currency", reader.GetString(1))));
                    }
                }
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                // No order yet: the table is created with the first one.
            }
            catch (NpgsqlException)
            {
                return _cache;
            }

            _cache = (DateTime.UtcNow, byStatus, revenue);
            return _cache;
        }
    }
}
