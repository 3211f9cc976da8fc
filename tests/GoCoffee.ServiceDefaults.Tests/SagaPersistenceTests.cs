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
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        await using var session = host.Store.QuerySession();
        Assert.Equal(1, await session.Query<CupState>().CountAsync(x => x.CorrelationId == cup));
        Assert.Equal(1, await session.Query<OutboxMessage>().CountAsync(x => x.CorrelationId == cup));
    }

    [Fact]
    public async Task Saga_timeout_fires_after_the_service_restarts()
    {
        var cup = Guid.NewGuid();
        await using (var beforeCrash = await Start())
        {
            await beforeCrash.Services.GetRequiredService<IBus>().Publish(new CupStarted(cup, 2_000));
            await Saga(beforeCrash, cup, state => state.CurrentState == "Brewing");
        }

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await using var restarted = await Start();

        await Saga(restarted, cup, state => state.CurrentState == "Abandoned", TimeSpan.FromSeconds(20));
        await TestInfrastructure.Eventually(() => Tally(restarted, "abandoned"), TimeSpan.FromSeconds(20), "the saga's outbox publish is delivered");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await Tally(restarted, "abandoned"));
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
        await Saga(host, cup, state => state.CurrentState == "Done");
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        var served = await Saga(host, cup, _ => true);
        Assert.Equal("Done", served.CurrentState);
        Assert.Null(served.ServeTimeoutToken);
        Assert.Equal(0, await host.PendingOutboxMessages());
        Assert.Null(await Tally(host, "abandoned"));
    }

    private Task<ReliabilityHost> Start() =>
        ReliabilityHost.Start(
            Database,
            VirtualHost,
            relay: true,
            bus =>
            {
                bus.AddSagaStateMachine<CupStateMachine, CupState>().MartenRepository();
                bus.AddConsumer<CupAbandonedConsumer>();
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
