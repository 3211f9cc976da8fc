using System.Diagnostics.Metrics;
using Marten;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace GoCoffee.ServiceDefaults.Messaging;

/// <summary>
/// The outbox and the sagas as Prometheus sees them (<c>/metrics</c>), read from PostgreSQL at most every 5 seconds:
/// <list type="bullet">
/// <item><c>gocoffee.outbox.oldest_due_age</c>: seconds the oldest message that should have left by now has been waiting
/// (due since its creation, or since its time for a durable timeout; 0 when nothing is waiting);</item>
/// <item><c>gocoffee.outbox.due</c>: messages waiting to leave (due, or held back after a failed publish);</item>
/// <item><c>gocoffee.saga.past_deadline</c> by <c>saga</c>: instances of each saga whose scheduled timeout (the outbox
/// row the instance holds the token of) fell due more than 30 seconds ago and was not delivered, i.e. the saga is stuck
/// past its deadline. Every saga document of the store is watched (its <c>Guid?</c> properties named <c>…Token</c>).</item>
/// </list>
/// Instruments live on a meter of this host's own, removed when the host stops.
/// </summary>
internal sealed class OutboxGauges(IDocumentStore store, NpgsqlDataSource dataSource) : IHostedService, IDisposable
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);
    private readonly Lock _lock = new();
    private Meter? _meter;
    private Reading _last = new(DateTime.MinValue, 0, 0, []);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var outbox = store.Options.FindOrResolveDocumentType(typeof(OutboxMessage)).TableName.QualifiedName;
        var sagas = store.Options.AllKnownDocumentTypes()
            .Where(mapping => typeof(ISaga).IsAssignableFrom(mapping.DocumentType))
            .Select(mapping => new SagaTable(
                SagaName(mapping.DocumentType),
                mapping.TableName.QualifiedName,
                [.. mapping.DocumentType.GetProperties().Where(p => p.PropertyType == typeof(Guid?) && p.Name.EndsWith("Token", StringComparison.Ordinal)).Select(p => p.Name)]))
            .Where(saga => saga.Tokens.Count > 0)
            .ToList();

        _meter = new Meter(Telemetry.SourceName);
        _meter.CreateObservableGauge("gocoffee.outbox.oldest_due_age", () => Read(outbox, sagas).OldestDueAge, unit: "s", description: "Seconds the oldest outbox message that is due has been waiting to leave");
        _meter.CreateObservableGauge("gocoffee.outbox.due", () => Read(outbox, sagas).Due, description: "Outbox messages due to leave (or held back after a failed publish)");
        _meter.CreateObservableGauge("gocoffee.saga.past_deadline", () => Read(outbox, sagas).PastDeadline, description: "Saga instances whose scheduled timeout fell due over 30 s ago and was not delivered");
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

    /// <summary><c>TenantLifecycleState</c> → <c>tenant-lifecycle</c>.</summary>
    internal static string SagaName(Type sagaType)
    {
        var name = sagaType.Name.EndsWith("State", StringComparison.Ordinal) ? sagaType.Name[..^"State".Length] : sagaType.Name;
        return string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? $"-{char.ToLowerInvariant(c)}" : char.ToLowerInvariant(c).ToString()));
    }

    private Reading Read(string outbox, IReadOnlyList<SagaTable> sagas)
    {
        lock (_lock)
        {
            if (DateTime.UtcNow - _last.At < TimeSpan.FromSeconds(5))
            {
                return _last;
            }

            try
            {
                using var connection = dataSource.OpenConnection();
                double oldest;
                long due;
                // A durable timeout is due from its NotBefore on; a message held back after failed publishes (Attempts > 0)
                // has been waiting since it was written.
                using (var command = new NpgsqlCommand(
                    $"""
                    select coalesce(extract(epoch from now() - min(since)), 0)::float8, count(*)
                    from (select case when (data->>'Attempts')::int > 0 or data->>'NotBefore' is null then (data->>'CreatedAt')::timestamptz
                                      else (data->>'NotBefore')::timestamptz end as since
                          from {outbox}
                          where data->>'NotBefore' is null or (data->>'NotBefore')::timestamptz <= now() or (data->>'Attempts')::int > 0) due
                    """,
                    connection))
                using (var reader = command.ExecuteReader())
                {
                    reader.Read();
                    (oldest, due) = (Math.Max(0, reader.GetDouble(0)), reader.GetInt64(1));
                }

                var pastDeadline = new List<Measurement<long>>();
                foreach (var saga in sagas)
                {
                    var tokens = string.Join(", ", saga.Tokens.Select(token => $"s.data->>'{token}'"));
                    using var command = new NpgsqlCommand(
                        $"""
                        select count(*) from {saga.Table} s
                        where exists (select 1 from {outbox} o where o.id::text in ({tokens})
                                      and (o.data->>'NotBefore')::timestamptz < now() - make_interval(secs => $1))
                        """,
                        connection);
                    command.Parameters.AddWithValue(Grace.TotalSeconds);
                    pastDeadline.Add(new Measurement<long>((long)command.ExecuteScalar()!, new KeyValuePair<string, object?>("saga", saga.Name)));
                }

                _last = new Reading(DateTime.UtcNow, oldest, due, pastDeadline);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // The database is away: the last values stay (its own alerts and the readiness probe say so).
            }

            return _last;
        }
    }

    private sealed record SagaTable(string Name, string Table, IReadOnlyList<string> Tokens);

    private sealed record Reading(DateTime At, double OldestDueAge, long Due, IReadOnlyList<Measurement<long>> PastDeadline);
}
