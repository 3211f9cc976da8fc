using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.Testing;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace GoCoffee.ServiceDefaults.Tests;

public sealed class BeanDeliveredConsumer(IDocumentSession session) : IConsumer<BeanDelivered>
{
    public async Task Consume(ConsumeContext<BeanDelivered> context)
    {
        var tally = await session.LoadAsync<Tally>("beans", context.CancellationToken) ?? new Tally { Id = "beans" };
        tally.Count++;
        session.Store(tally);
    }
}

public sealed class RoastRequestedConsumer(IDocumentSession session, IOutbox outbox) : IConsumer<RoastRequested>
{
    public Task Consume(ConsumeContext<RoastRequested> context)
    {
        session.Store(new Roast { Id = context.Message.RoastId });
        outbox.Publish(new RoastStarted(context.Message.RoastId));
        return context.Message.Poison
            ? throw new InvalidOperationException("The roast burnt: nothing it staged may be committed")
            : Task.CompletedTask;
    }
}

public sealed class RoastStartedConsumer(IDocumentSession session) : IConsumer<RoastStarted>
{
    public async Task Consume(ConsumeContext<RoastStarted> context)
    {
        var tally = await session.LoadAsync<Tally>("roasts-started", context.CancellationToken) ?? new Tally { Id = "roasts-started" };
        tally.Count++;
        session.Store(tally);
    }
}

public sealed class OutboxInboxTests : IsolatedTest
{
    [Fact]
    public async Task Message_committed_before_a_crash_is_delivered_exactly_once_after_restart()
    {
        // The process commits the state change and its message, then dies before the relay publishes anything.
        await using (var crashed = await Start(relay: false))
        {
            await crashed.Commit((_, outbox) => outbox.Publish(new BeanDelivered(Guid.NewGuid(), 60)));
            Assert.Equal(1, await crashed.PendingOutboxMessages());
        }

        await using var restarted = await Start(relay: true);
        await TestInfrastructure.Eventually(() => Tally(restarted, "beans"), TimeSpan.FromSeconds(20), "the committed message is delivered after the restart");
        await restarted.Deliveries.WaitFor("reliability-bean-delivered", 1);
        await AssertQueuesEmpty(restarted, "reliability-bean-delivered");

        Assert.Equal(1, await Tally(restarted, "beans"));
        Assert.Equal(0, await restarted.PendingOutboxMessages());
    }

    [Fact]
    public async Task Publishing_again_after_a_crash_before_the_delete_has_no_second_effect()
    {
        await using var host = await Start(relay: true);
        await host.Commit((_, outbox) => outbox.Publish(new BeanDelivered(Guid.NewGuid(), 30)));
        await TestInfrastructure.Eventually(() => Tally(host, "beans"), TimeSpan.FromSeconds(20), "the message is delivered");
        await host.Deliveries.WaitFor("reliability-bean-delivered", 1);

        // The state a crash between "broker confirmed" and "row deleted" leaves behind: the same row, same id, again.
        var relayed = new OutboxMessage
        {
            Id = await LastRelayedMessageId(host),
            MessageType = typeof(BeanDelivered).FullName!,
            Body = """{"deliveryId":"6f1b8f4e-0000-0000-0000-000000000001","kilograms":30}""",
            CreatedAt = DateTimeOffset.UtcNow,
        };
        await host.Commit((session, _) => session.Insert(relayed));
        await TestInfrastructure.Eventually(async () => await host.PendingOutboxMessages() == 0 ? true : (bool?)null, TimeSpan.FromSeconds(20), "the relay publishes the row again");
        await host.Deliveries.WaitFor("reliability-bean-delivered", 2);

        Assert.Equal(1, await Tally(host, "beans"));
        await AssertQueuesEmpty(host, "reliability-bean-delivered");
    }

    [Fact]
    public async Task Redelivered_message_with_the_same_id_is_processed_once()
    {
        await using var host = await Start(relay: true);
        var bus = host.Services.GetRequiredService<IBus>();
        var messageId = NewId.NextGuid();
        var message = new BeanDelivered(Guid.NewGuid(), 10);

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => bus.Publish(message, context => context.MessageId = messageId)));
        await host.Deliveries.WaitFor("reliability-bean-delivered", 5);

        // One effect, and every copy was taken off the queue (acknowledged, not parked in _error or left behind).
        Assert.Equal(1, await Tally(host, "beans"));
        await AssertQueuesEmpty(host, "reliability-bean-delivered");
    }

    [Fact]
    public async Task Consumer_that_fails_commits_neither_its_state_nor_its_messages_and_the_message_reaches_the_error_queue()
    {
        await using var host = await Start(relay: true);
        var bus = host.Services.GetRequiredService<IBus>();
        var poisoned = Guid.NewGuid();
        var healthy = Guid.NewGuid();

        await bus.Publish(new RoastRequested(poisoned, Poison: true));
        await bus.Publish(new RoastRequested(healthy, Poison: false));

        await TestInfrastructure.Eventually(
            async () => await VirtualHost.MessageCount("reliability-roast-requested_error") == 1 ? true : (bool?)null,
            TimeSpan.FromSeconds(60),
            "the failing message ends in the error queue after its retries");
        await TestInfrastructure.Eventually(() => Tally(host, "roasts-started"), TimeSpan.FromSeconds(20), "the healthy roast's message is delivered");
        await host.Deliveries.WaitFor("reliability-roast-started", 1);
        await TestInfrastructure.Eventually(async () => await host.PendingOutboxMessages() == 0 ? true : (bool?)null, TimeSpan.FromSeconds(20), "the outbox drains");

        await using var session = host.Store.QuerySession();
        Assert.Null(await session.LoadAsync<Roast>(poisoned));
        Assert.NotNull(await session.LoadAsync<Roast>(healthy));
        Assert.Equal(1, await Tally(host, "roasts-started"));
    }

    private Task<ReliabilityHost> Start(bool relay) =>
        ReliabilityHost.Start(
            Database,
            VirtualHost,
            relay,
            bus =>
            {
                bus.AddConsumer<BeanDeliveredConsumer>();
                bus.AddConsumer<RoastRequestedConsumer>();
                bus.AddConsumer<RoastStartedConsumer>();
            },
            store => store.Schema.For<Tally>().UseOptimisticConcurrency(true));


    private static async Task<Guid> LastRelayedMessageId(ReliabilityHost host)
    {
        await using var session = host.Store.QuerySession();
        var entry = await session.Query<InboxEntry>().Where(x => x.Id.Contains("BeanDelivered")).SingleAsync();
        return Guid.ParseExact(entry.Id.Split('|')[2], "N");
    }

    /// <summary>
    /// Nothing waits in <paramref name="queue"/> or its <c>_error</c> queue (counted on the queues themselves) and the outbox
    /// is empty: every copy was consumed and acknowledged, none parked as a failure.
    /// </summary>
    private async Task AssertQueuesEmpty(ReliabilityHost host, string queue)
    {
        await TestInfrastructure.Eventually(async () => await host.PendingOutboxMessages() == 0 ? true : (bool?)null, TimeSpan.FromSeconds(20), "the outbox drains");
        Assert.Equal(0u, await BrokerQueues.ReadyMessages(VirtualHost.Name, queue));
        Assert.True((await BrokerQueues.ReadyMessages(VirtualHost.Name, queue + "_error") ?? 0) == 0, $"{queue}_error holds messages");
    }
}
