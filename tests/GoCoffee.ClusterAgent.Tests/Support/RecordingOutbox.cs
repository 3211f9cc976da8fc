using System.Collections.Concurrent;
using GoCoffee.ServiceDefaults.Messaging;

namespace GoCoffee.ClusterAgent.Tests.Support;

/// <summary>An outbox that keeps what consumers publish, for tests of a consumer's decisions without a database.</summary>
public sealed class RecordingOutbox : IOutbox
{
    private readonly ConcurrentQueue<object> _published = new();

    public IReadOnlyList<object> Published => [.. _published];

    public void Publish<T>(T message, string? tenantId = null, Guid? correlationId = null) where T : class => _published.Enqueue(message);

    public void Send<T>(Uri destination, T message, string? tenantId = null, Guid? correlationId = null) where T : class => _published.Enqueue(message);

    public void Schedule<T>(Guid scheduleId, T message, DateTimeOffset notBefore, string? tenantId = null, Guid? correlationId = null) where T : class =>
        throw new NotSupportedException("The cluster-agent schedules nothing.");

    public void Cancel(Guid scheduleId) => throw new NotSupportedException("The cluster-agent schedules nothing.");
}
