using Marten;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace GoCoffee.ServiceDefaults.Messaging;

/// <summary>
/// The inbox, and the unit of work of every consumer and saga: runs in the message's DI scope, records the message id
/// in the scoped Marten session before the consumer runs, and commits it with whatever the consumer (or saga
/// repository) staged — state, outbox messages and the inbox entry in one transaction. A redelivered message whose
/// id is already recorded is acknowledged without running the consumer again. Consumers therefore stage changes on
/// the scoped <see cref="IDocumentSession"/> and send through <see cref="IOutbox"/>, never <c>context.Publish</c>.
/// </summary>
public sealed class InboxFilter<T>(IDocumentSession session, TimeProvider clock, ILogger<InboxFilter<T>> logger) : IFilter<ConsumeContext<T>>
    where T : class
{
    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        if (context.MessageId is not { } messageId)
        {
            // Plain-JSON messages from external systems may carry no id; they are validated and handled by state guards.
            await next.Send(context);
            await session.SaveChangesAsync(context.CancellationToken);
            return;
        }

        var key = InboxKey(context.ReceiveContext.InputAddress, typeof(T), messageId);
        if (await session.LoadAsync<InboxEntry>(key, context.CancellationToken) is not null)
        {
            logger.LogInformation("Skipping {MessageType} {MessageId}: already handled by {Endpoint}", typeof(T).Name, messageId, context.ReceiveContext.InputAddress.AbsolutePath);
            return;
        }

        session.Insert(new InboxEntry { Id = key, ProcessedAt = clock.GetUtcNow() });
        try
        {
            await next.Send(context);
            await session.SaveChangesAsync(context.CancellationToken);
        }
        catch
        {
            // Nothing the failed attempt staged may leak into a later commit.
            session.EjectAllPendingChanges();
            throw;
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("marten-inbox");

    internal static string InboxKey(Uri endpoint, Type messageType, Guid messageId) =>
        $"{endpoint.AbsolutePath.Trim('/')}|{messageType.Name}|{messageId:N}";
}
