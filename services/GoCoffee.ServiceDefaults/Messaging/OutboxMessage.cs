namespace GoCoffee.ServiceDefaults.Messaging;

/// <summary>
/// A message waiting to leave the service. It is stored in the same PostgreSQL transaction as the state change that
/// caused it, and the <see cref="OutboxRelay"/> publishes it after the commit; its <see cref="Id"/> becomes the
/// MassTransit message id, so a re-publish after a crash is recognised by the consumer's inbox.
/// A message with <see cref="NotBefore"/> in the future is a durable timeout: it leaves no earlier than that.
/// </summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }

    /// <summary>Full name of the contract type (MassTransit binds on it).</summary>
    public string MessageType { get; set; } = string.Empty;

    public string Body { get; set; } = "{}";

    /// <summary>A queue to send to; null to publish to every subscriber.</summary>
    public string? Destination { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? NotBefore { get; set; }

    public Guid? CorrelationId { get; set; }

    public string? TenantId { get; set; }

    /// <summary>W3C trace context of the operation that wrote the message, so the trace continues across the relay.</summary>
    public string? TraceParent { get; set; }

    public string? TraceState { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }
}

/// <summary>A message id a consumer endpoint has already handled: redeliveries of it are acknowledged and skipped.</summary>
public sealed class InboxEntry
{
    public string Id { get; set; } = string.Empty;

    public DateTimeOffset ProcessedAt { get; set; }
}

internal static class MessagingDocuments
{
    public static void Register(Marten.StoreOptions options)
    {
        options.Schema.For<OutboxMessage>().Index(x => x.CreatedAt).Index(x => x.NotBefore);
        options.Schema.For<InboxEntry>().Index(x => x.ProcessedAt);
    }
}
