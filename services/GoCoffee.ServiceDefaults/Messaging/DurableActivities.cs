using MassTransit;

namespace GoCoffee.ServiceDefaults.Messaging;

/// <summary>
/// State-machine steps that go through the outbox: messages leave only once the saga's new state has committed, and
/// timeouts are rows in PostgreSQL (RabbitMQ here has no delayed-message plugin), so they survive restarts.
/// A timeout carries the token it was scheduled with; a saga ignores a timeout whose token is no longer current.
/// </summary>
public static class DurableActivities
{
    public static EventActivityBinder<TSaga, TMessage> PublishDurably<TSaga, TMessage, T>(
        this EventActivityBinder<TSaga, TMessage> binder,
        Func<BehaviorContext<TSaga, TMessage>, T> message,
        Func<BehaviorContext<TSaga, TMessage>, string?>? tenantId = null)
        where TSaga : class, SagaStateMachineInstance
        where TMessage : class
        where T : class =>
        binder.Then(context => context.GetServiceOrCreateInstance<IOutbox>()
            .Publish(message(context), tenantId?.Invoke(context), context.Saga.CorrelationId));

    public static EventActivityBinder<TSaga, TMessage> SendDurably<TSaga, TMessage, T>(
        this EventActivityBinder<TSaga, TMessage> binder,
        Uri destination,
        Func<BehaviorContext<TSaga, TMessage>, T> message,
        Func<BehaviorContext<TSaga, TMessage>, string?>? tenantId = null)
        where TSaga : class, SagaStateMachineInstance
        where TMessage : class
        where T : class =>
        binder.Then(context => context.GetServiceOrCreateInstance<IOutbox>()
            .Send(destination, message(context), tenantId?.Invoke(context), context.Saga.CorrelationId));

    /// <summary>Schedules <paramref name="message"/> (built with the new token) after <paramref name="delay"/>, replacing any earlier one.</summary>
    public static EventActivityBinder<TSaga, TMessage> ScheduleTimeout<TSaga, TMessage, T>(
        this EventActivityBinder<TSaga, TMessage> binder,
        Func<TSaga, Guid?> getToken,
        Action<TSaga, Guid?> setToken,
        Func<BehaviorContext<TSaga, TMessage>, Guid, T> message,
        Func<BehaviorContext<TSaga, TMessage>, TimeSpan> delay)
        where TSaga : class, SagaStateMachineInstance
        where TMessage : class
        where T : class =>
        binder.Then(context =>
        {
            var outbox = context.GetServiceOrCreateInstance<IOutbox>();
            if (getToken(context.Saga) is { } previous)
            {
                outbox.Cancel(previous);
            }

            var token = Guid.CreateVersion7();
            setToken(context.Saga, token);
            var clock = context.GetServiceOrCreateInstance<TimeProvider>();
            outbox.Schedule(token, message(context, token), clock.GetUtcNow() + delay(context), correlationId: context.Saga.CorrelationId);
        });

    public static EventActivityBinder<TSaga, TMessage> CancelTimeout<TSaga, TMessage>(
        this EventActivityBinder<TSaga, TMessage> binder,
        Func<TSaga, Guid?> getToken,
        Action<TSaga, Guid?> setToken)
        where TSaga : class, SagaStateMachineInstance
        where TMessage : class =>
        binder.Then(context =>
        {
            if (getToken(context.Saga) is { } token)
            {
                context.GetServiceOrCreateInstance<IOutbox>().Cancel(token);
                setToken(context.Saga, null);
            }
        });
}
