using Marten;

namespace GoCoffee.Tenant.Lifecycle;

/// <summary>
/// Appends to a tenant's event stream at a version known before the commit, so the messages staged with the event can
/// carry it (consumers apply tenant messages by version: a late or redelivered one never undoes a newer change). Marten
/// checks the version when the session commits: if another writer appended meanwhile, the commit fails and the request
/// or message is decided again (<see cref="ServiceDefaults.Persistence.ConcurrencyConflictRetry"/>, the bus's retries).
/// </summary>
internal static class TenantStream
{
    public static async Task<long> AppendOne(IDocumentSession session, string tenantId, object domainEvent, CancellationToken cancellationToken)
    {
        var state = await session.Events.FetchStreamStateAsync(tenantId, cancellationToken);
        var version = (state?.Version ?? 0) + 1;
        session.Events.Append(tenantId, version, domainEvent);
        return version;
    }
}
