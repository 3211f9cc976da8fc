using System.Diagnostics;
using System.Text.Json;
using Marten;
using Marten.Services;

namespace GoCoffee.ServiceDefaults.Messaging;

/// <summary>
/// Stages outgoing messages in the current Marten session: they commit with the session's other changes, in one
/// PostgreSQL transaction, and the relay publishes them after the commit. Nothing is sent if the transaction rolls back.
/// </summary>
public interface IOutbox
{
    void Publish<T>(T message, string? tenantId = null, Guid? correlationId = null) where T : class;

    void Send<T>(Uri destination, T message, string? tenantId = null, Guid? correlationId = null) where T : class;

    /// <summary>
    /// A durable timeout: published no earlier than <paramref name="notBefore"/>, even across restarts.
    /// Scheduling again with the same <paramref name="scheduleId"/> replaces it; <see cref="Cancel"/> removes it.
    /// </summary>
    void Schedule<T>(Guid scheduleId, T message, DateTimeOffset notBefore, string? tenantId = null, Guid? correlationId = null) where T : class;

    void Cancel(Guid scheduleId);
}

internal sealed class MartenOutbox(IDocumentSession session, TimeProvider clock) : IOutbox
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Publish<T>(T message, string? tenantId = null, Guid? correlationId = null) where T : class =>
        session.Insert(Create(Guid.CreateVersion7(), message, destination: null, notBefore: null, tenantId, correlationId));

    public void Send<T>(Uri destination, T message, string? tenantId = null, Guid? correlationId = null) where T : class =>
        session.Insert(Create(Guid.CreateVersion7(), message, destination.ToString(), notBefore: null, tenantId, correlationId));

    public void Schedule<T>(Guid scheduleId, T message, DateTimeOffset notBefore, string? tenantId = null, Guid? correlationId = null) where T : class =>
        session.Store(Create(scheduleId, message, destination: null, notBefore, tenantId, correlationId));

    public void Cancel(Guid scheduleId) => session.Delete<OutboxMessage>(scheduleId);

    private OutboxMessage Create<T>(Guid id, T message, string? destination, DateTimeOffset? notBefore, string? tenantId, Guid? correlationId)
        where T : class
    {
        var activity = Activity.Current;
        return new OutboxMessage
        {
            Id = id,
            MessageType = message.GetType().FullName ?? throw new InvalidOperationException("Anonymous message types cannot be sent."),
            Body = JsonSerializer.Serialize(message, message.GetType(), Json),
            Destination = destination,
            CreatedAt = clock.GetUtcNow(),
            NotBefore = notBefore,
            TenantId = tenantId ?? activity?.GetBaggageItem(Logging.TenantBaggageKey),
            CorrelationId = correlationId,
            TraceParent = activity?.Id,
            TraceState = activity?.TraceStateString,
        };
    }
}

/// <summary>Wakes the relay as soon as a transaction with outgoing messages commits, so delivery isn't bound to the poll interval.</summary>
public sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled: one wake-up covers every commit before it.
            }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();
}

internal sealed class OutboxCommitListener(OutboxSignal signal) : DocumentSessionListenerBase
{
    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        if (commit.Inserted.OfType<OutboxMessage>().Any() || commit.Updated.OfType<OutboxMessage>().Any())
        {
            signal.Notify();
        }

        return Task.CompletedTask;
    }
}
