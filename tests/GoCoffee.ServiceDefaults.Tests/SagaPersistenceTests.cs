using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.Testing;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace GoCoffee.ServiceDefaults.Tests;

public sealed class CupAbandonedConsumer(IDocumentSession session) : IConsumer<CupAbandoned>
{
    public async Task Consume(ConsumeContext<CupAbandoned> context)
    {
        var tally = await session.LoadAsync<Tally>("abandoned", context.CancellationToken) ?? new Tally { Id = "abandoned" };
        tally.Count++;
        session.Store(tally);
    }
}

/// <summary>Counts every serve timeout that reaches the bus, per cup: a cancelled one must never get here.</summary>
public sealed class CupServeTimedOutConsumer(IDocumentSession session) : IConsumer<CupServeTimedOut>
{
    public async Task Consume(ConsumeContext<CupServeTimedOut> context)
    {
        var id = $"timeout-{context.Message.CupId:N}";
        var tally = await session.LoadAsync<Tally>(id, context.CancellationToken) ?? new Tally { Id = id };
        tally.Count++;
        session.Store(tally);
    }
}

public sealed class SagaPersistenceTests : IsolatedTest
{
    [Fact]
    public async Task Concurrent_events_for_one_saga_never_lose_an_update()
    {
        await using var host = await Start();
        var bus = host.Services.GetRequiredService<IBus>();
        var cup = Guid.NewGuid();
        await bus.Publish(new CupStarted(cup, 600_000));
        await Saga(host, cup, state => state.CurrentState == "Brewing");

        var shots = Enumerable.Range(0, 24).Select(_ => Guid.NewGuid()).ToList();
        await Task.WhenAll(shots.Select(shot => bus.Publish(new ShotAdded(cup, shot))));

        var brewed = await Saga(host, cup, state => state.Shots.Count == shots.Count, TimeSpan.FromSeconds(60));
        Assert.Equal(shots.Order(), brewed.Shots.Order());
    }

    [Fact]
    public async Task Two_first_events_at_once_create_one_saga()
    {
        await using var host = await Start();
        var bus = host.Services.GetRequiredService<IBus>();
        var cup = Guid.NewGuid();

        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => bus.Publish(new CupStarted(cup, 600_000))));
        await Saga(host, cup, state => state.CurrentState == "Brewing");
        await host.Deliveries.WaitFor(SagaQueue, 6);

        await using var session = host.Store.QuerySession();
        Assert.Equal(1, await session.Query<CupState>().CountAsync(x => x.CorrelationId == cup));
        Assert.Equal(1, await session.Query<OutboxMessage>().CountAsync(x => x.CorrelationId == cup));
    }

    [Fact]
    public async Task Saga_timeout_fires_after_the_service_restarts()
    {
        var cup = Guid.NewGuid();
        DateTimeOffset due;
        await using (var beforeCrash = await Start())
        {
            await beforeCrash.Services.GetRequiredService<IBus>().Publish(new CupStarted(cup, 2_000));
            var brewing = await Saga(beforeCrash, cup, state => state.CurrentState == "Brewing");
            await using var session = beforeCrash.Store.QuerySession();
            due = (await session.LoadAsync<OutboxMessage>(brewing.ServeTimeoutToken!.Value))!.NotBefore!.Value;
        }

        // The timeout falls due while no process runs.
        await TestInfrastructure.Eventually(() => Task.FromResult(DateTimeOffset.UtcNow > due ? (bool?)true : null), TimeSpan.FromSeconds(20), "the timeout is due");
        await using var restarted = await Start();

        await Saga(restarted, cup, state => state.CurrentState == "Abandoned", TimeSpan.FromSeconds(20));
        await TestInfrastructure.Eventually(() => Tally(restarted, "abandoned"), TimeSpan.FromSeconds(20), "the saga's outbox publish is delivered");
        await restarted.Deliveries.WaitFor("reliability-cup-abandoned", 1);
        Assert.Equal(1, await Tally(restarted, "abandoned"));
        Assert.Equal(0, await restarted.PendingOutboxMessages());
    }

    [Fact]
    public async Task Cancelled_timeout_never_fires()
    {
        await using var host = await Start();
        var bus = host.Services.GetRequiredService<IBus>();
        var cup = Guid.NewGuid();
        await bus.Publish(new CupStarted(cup, 1_500));
        await Saga(host, cup, state => state.CurrentState == "Brewing");

        await bus.Publish(new CupServed(cup));
        var served = await Saga(host, cup, state => state.CurrentState == "Done");

        // The cancel removed the scheduled message in the saga's own transaction: nothing is left that could fire.
        Assert.Null(served.ServeTimeoutToken);
        Assert.Equal(0, await host.PendingOutboxMessages());

        // A witness cup's timeout, scheduled after the cancelled one and due later, fires; once it has been consumed,
        // the cancelled one, had it still existed, would have been published before it.
        var witness = Guid.NewGuid();
        await bus.Publish(new CupStarted(witness, 1_500));
        await Saga(host, witness, state => state.CurrentState == "Abandoned");
        await TestInfrastructure.Eventually(() => Tally(host, $"timeout-{witness:N}"), TimeSpan.FromSeconds(20), "the witness's timeout reaches the bus");

        Assert.Null(await Tally(host, $"timeout-{cup:N}"));
        Assert.Equal("Done", (await Saga(host, cup, _ => true)).CurrentState);

        // The witness's CupAbandoned travels through the outbox after its saga is saved: wait for it, then count it.
        Assert.Equal(1, await TestInfrastructure.Eventually(() => Tally(host, "abandoned"), TimeSpan.FromSeconds(20), "the witness's CupAbandoned is consumed"));
    }

    private const string SagaQueue = "reliability-cup-state";

    private Task<ReliabilityHost> Start() =>
        ReliabilityHost.Start(
            Database,
            VirtualHost,
            relay: true,
            bus =>
            {
                bus.AddSagaStateMachine<CupStateMachine, CupState>().MartenRepository();
                bus.AddConsumer<CupAbandonedConsumer>();
                bus.AddConsumer<CupServeTimedOutConsumer>();
            },
            store =>
            {
                store.AddSaga<CupState>();
                store.Schema.For<Tally>().UseOptimisticConcurrency(true);
            });

    private static Task<CupState> Saga(ReliabilityHost host, Guid id, Func<CupState, bool> condition, TimeSpan? timeout = null) =>
        TestInfrastructure.Eventually(
            async () =>
            {
                await using var session = host.Store.QuerySession();
                var state = await session.LoadAsync<CupState>(id);
                return state is not null && condition(state) ? state : null;
            },
            timeout ?? TimeSpan.FromSeconds(20),
            $"saga {id} reaches the expected state");

}
