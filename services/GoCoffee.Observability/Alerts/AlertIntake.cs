using GoCoffee.Contracts.Observability;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;

namespace GoCoffee.Observability.Alerts;

/// <summary>
/// Records what Alertmanager reported and publishes each change once: a new firing is <see cref="AlertFired"/>, its end
/// <see cref="AlertResolved"/>; a resend (Alertmanager repeats every group_interval / repeat_interval) finds its record
/// and publishes nothing. The records and the events commit in one transaction (outbox).
/// </summary>
public sealed class AlertIntake(IServiceScopeFactory scopes, TimeProvider clock, ILogger<AlertIntake> logger)
{
    private const int Attempts = 3;

    public async Task<AlertIntakeResult> Record(IReadOnlyList<ReportedAlert> alerts, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await RecordOnce(alerts, cancellationToken);
            }
            catch (Exception ex) when (attempt < Attempts && IsConflict(ex))
            {
                // Another request (a resend racing the first send) recorded one of these alerts first: read again.
                logger.LogInformation("Alert intake met a concurrent change; reading the alerts again (attempt {Attempt})", attempt + 1);
            }
        }
    }

    private async Task<AlertIntakeResult> RecordOnce(IReadOnlyList<ReportedAlert> alerts, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IDocumentSession>();
        var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
        var now = clock.GetUtcNow();
        var ids = alerts.Select(a => AlertIdentity.For(a.Fingerprint, a.StartsAt)).Distinct().ToArray();
        var known = (await session.LoadManyAsync<AlertRecord>(cancellationToken, ids)).ToDictionary(a => a.Id);
        int fired = 0, resolved = 0, unchanged = 0;
        foreach (var alert in alerts)
        {
            var id = AlertIdentity.For(alert.Fingerprint, alert.StartsAt);
            known.TryGetValue(id, out var record);
            if (alert.Status == AlertStatus.Firing)
            {
                if (record is not null)
                {
                    unchanged++;
                    continue;
                }

                record = New(id, alert, now);
                known[id] = record;
                session.Insert(record);
                outbox.Publish(
                    new AlertFired(id, alert.Fingerprint, alert.AlertName, alert.TenantId, alert.Severity, alert.Labels, alert.Annotations, alert.StartsAt, alert.GeneratorUrl, now),
                    alert.TenantId,
                    id);
                fired++;
                continue;
            }

            if (record is { Status: AlertStatus.Resolved })
            {
                unchanged++;
                continue;
            }

            var endsAt = alert.EndsAt ?? now;
            if (record is null)
            {
                record = New(id, alert, now);
                known[id] = record;
                record.Status = AlertStatus.Resolved;
                record.EndsAt = endsAt;
                session.Insert(record);
            }
            else
            {
                record.Status = AlertStatus.Resolved;
                record.EndsAt = endsAt;
                record.UpdatedAt = now;
                session.Update(record);
            }

            outbox.Publish(
                new AlertResolved(id, alert.Fingerprint, alert.AlertName, alert.TenantId, alert.Severity, alert.Labels, alert.Annotations, alert.StartsAt, endsAt, now),
                alert.TenantId,
                id);
            resolved++;
        }

        await session.SaveChangesAsync(cancellationToken);
        if (fired + resolved > 0)
        {
            logger.LogInformation("Alert intake: {Fired} fired, {Resolved} resolved, {Unchanged} resent", fired, resolved, unchanged);
        }

        return new AlertIntakeResult(alerts.Count, fired, resolved, unchanged);
    }

    private static AlertRecord New(Guid id, ReportedAlert alert, DateTimeOffset now) => new()
    {
        Id = id,
        Fingerprint = alert.Fingerprint,
        AlertName = alert.AlertName,
        TenantId = alert.TenantId,
        Severity = alert.Severity,
        Status = AlertStatus.Firing,
        Labels = alert.Labels,
        Annotations = alert.Annotations,
        StartsAt = alert.StartsAt,
        GeneratorUrl = alert.GeneratorUrl,
        ReceivedAt = now,
        UpdatedAt = now,
    };

    private static bool IsConflict(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is JasperFx.DocumentAlreadyExistsException or JasperFx.ConcurrencyException or Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
            {
                return true;
            }
        }

        return false;
    }
}
