using GoCoffee.ServiceDefaults.Messaging;
using MassTransit;

namespace GoCoffee.ServiceDefaults.Tests;

public sealed record CupStarted(Guid CupId, int ServeWithinMilliseconds);

public sealed record ShotAdded(Guid CupId, Guid ShotId);

public sealed record CupServed(Guid CupId);

public sealed record CupServeTimedOut(Guid CupId, Guid Token);

public sealed record CupAbandoned(Guid CupId);

public sealed class CupState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }

    public string CurrentState { get; set; } = string.Empty;

    public List<Guid> Shots { get; set; } = [];

    public Guid? ServeTimeoutToken { get; set; }
}

/// <summary>A small saga that exercises what real ones need: concurrent updates, durable timeouts, outbox publishes.</summary>
public sealed class CupStateMachine : MassTransitStateMachine<CupState>
{
    public CupStateMachine()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Started, e => e.CorrelateById(m => m.Message.CupId));
        Event(() => ShotPulled, e => e.CorrelateById(m => m.Message.CupId));
        Event(() => Served, e => e.CorrelateById(m => m.Message.CupId));
        Event(() => ServeTimedOut, e => e.CorrelateById(m => m.Message.CupId));

        Initially(
            When(Started)
                .ScheduleTimeout(
                    cup => cup.ServeTimeoutToken,
                    (cup, token) => cup.ServeTimeoutToken = token,
                    (context, token) => new CupServeTimedOut(context.Saga.CorrelationId, token),
                    context => TimeSpan.FromMilliseconds(context.Message.ServeWithinMilliseconds))
                .TransitionTo(Brewing));

        During(
            Brewing,
            Ignore(Started),
            When(ShotPulled)
                .Then(context =>
                {
                    if (!context.Saga.Shots.Contains(context.Message.ShotId))
                    {
                        context.Saga.Shots.Add(context.Message.ShotId);
                    }
                }),
            When(Served)
                .CancelTimeout(cup => cup.ServeTimeoutToken, (cup, token) => cup.ServeTimeoutToken = token)
                .TransitionTo(Done),
            When(ServeTimedOut, context => context.Message.Token == context.Saga.ServeTimeoutToken)
                .PublishDurably(context => new CupAbandoned(context.Saga.CorrelationId))
                .TransitionTo(Abandoned));

        During(Done, Ignore(Started), Ignore(ShotPulled), Ignore(Served), Ignore(ServeTimedOut));
        During(Abandoned, Ignore(Started), Ignore(ShotPulled), Ignore(Served), Ignore(ServeTimedOut));
    }

    public State Brewing { get; private set; } = null!;

    public State Done { get; private set; } = null!;

    public State Abandoned { get; private set; } = null!;

    public Event<CupStarted> Started { get; private set; } = null!;

    public Event<ShotAdded> ShotPulled { get; private set; } = null!;

    public Event<CupServed> Served { get; private set; } = null!;

    public Event<CupServeTimedOut> ServeTimedOut { get; private set; } = null!;
}
