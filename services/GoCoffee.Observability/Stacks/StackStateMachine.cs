using GoCoffee.Contracts.Observability;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;
using MassTransit;

namespace GoCoffee.Observability.Stacks;

/// <summary>
/// One stack's life: the cluster-agent applies its objects → Ready with each component's status; a change applies
/// again (Updating); a failure ends Failed with a condition naming the object and what the API server said; deletion
/// removes every object of the stack, then the stack. Every step has a durable timeout; every change of status is
/// written to the stack in the saga's own transaction.
/// </summary>
public sealed class StackStateMachine : MassTransitStateMachine<StackState>
{
    public StackStateMachine()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Requested, e => e.CorrelateById(m => m.Message.CorrelationId));
        Event(() => DeletionRequested, e =>
        {
            e.CorrelateById(m => m.Message.CorrelationId);
            e.OnMissingInstance(m => m.Discard());
        });
        Event(() => Applied, e =>
        {
            e.CorrelateById(m => m.Message.CorrelationId);
            e.OnMissingInstance(m => m.Discard());
        });
        Event(() => StepFailed, e =>
        {
            e.CorrelateById(m => m.Message.CorrelationId);
            e.OnMissingInstance(m => m.Discard());
        });
        Event(() => ObjectsDeleted, e =>
        {
            e.CorrelateById(m => m.Message.CorrelationId);
            e.OnMissingInstance(m => m.Discard());
        });
        Event(() => StepTimedOut, e =>
        {
            e.CorrelateById(m => m.Message.CorrelationId);
            e.OnMissingInstance(m => m.Discard());
        });

        // Late or repeated answers change nothing.
        OnUnhandledEvent(context => context.Ignore());

        Initially(
            When(Requested)
                .Then(context =>
                {
                    context.Saga.StackId = context.Message.StackId;
                    context.Saga.TenantId = context.Message.Plan.TenantId;
                    context.Saga.Plan = context.Message.Plan;
                })
                .ApplyStack()
                .TransitionTo(Applying));

        During(
            new[] { Applying, Ready, Failed },
            When(Requested)
                .Then(context => context.Saga.Plan = context.Message.Plan)
                .ApplyStack()
                .TransitionTo(Applying));

        During(
            Applying,
            When(Applied, context => context.Message.Generation == context.Saga.Plan!.Generation)
                .CancelStepTimeout()
                .Update((stack, context) =>
                {
                    var now = context.Now();
                    var m = context.Message;
                    stack.Objects = [.. m.Objects];
                    stack.Status.Phase = StackPhase.Ready;
                    stack.Status.Components = m.Components.ToDictionary(c => c.Component, c => new StackComponentStatus("Ready", c.Endpoint, c.Version));
                    var pruned = m.Pruned.Count > 0 ? $" Removed {m.Pruned.Count} objects no longer in the spec: {string.Join(", ", m.Pruned)}." : string.Empty;
                    stack.SetCondition("Synced", "True", "Applied", $"{m.Objects.Count} objects applied: {string.Join(", ", m.Objects)}.{pruned}", now);
                    stack.SetCondition("Ready", "True", "Ready", $"{m.Components.Count} components configured: {string.Join(", ", m.Components.Select(c => c.Component))}.", now);
                })
                .TransitionTo(Ready),
            When(StepFailed)
                .CancelStepTimeout()
                .Fail(context => (context.Message.Step, context.Message.FailedObject.ToString(), $"{context.Message.StatusCode} {context.Message.Message}"))
                .TransitionTo(Failed),
            When(StepTimedOut, context => context.Message.Token == context.Saga.StepTimeoutToken)
                .Fail(_ => ("apply", "cluster-agent", "No answer to the apply step in time."))
                .TransitionTo(Failed));

        During(
            new[] { Applying, Ready, Failed },
            When(DeletionRequested)
                .Update((stack, context) =>
                {
                    stack.Status.Phase = StackPhase.Terminating;
                    stack.SetCondition("Ready", "False", "Terminating", "Deleting the stack's objects.", context.Now());
                })
                .PublishDurably(context => new DeleteObservabilityStackObjects(context.Saga.CorrelationId, context.Saga.TenantId, context.Saga.Plan!.Namespace, context.Saga.Plan.Name), context => context.Saga.TenantId)
                .ScheduleStep("delete")
                .TransitionTo(Deleting));

        During(
            Deleting,
            When(ObjectsDeleted)
                .CancelStepTimeout()
                .ThenAsync(async context =>
                {
                    context.GetServiceOrCreateInstance<IDocumentSession>().Delete<ObservabilityStack>(context.Saga.StackId);
                    await Task.CompletedTask;
                })
                .Finalize(),
            When(StepFailed)
                .CancelStepTimeout()
                .Fail(context => (context.Message.Step, context.Message.FailedObject.ToString(), $"{context.Message.StatusCode} {context.Message.Message}"))
                .TransitionTo(Failed),
            When(StepTimedOut, context => context.Message.Token == context.Saga.StepTimeoutToken)
                .Fail(_ => ("delete", "cluster-agent", "No answer to the delete step in time; delete again to retry."))
                .TransitionTo(Failed));

        SetCompletedWhenFinalized();
    }

    public State Applying { get; private set; } = null!;

    public State Ready { get; private set; } = null!;

    public State Deleting { get; private set; } = null!;

    public State Failed { get; private set; } = null!;

    public Event<ObservabilityStackRequested> Requested { get; private set; } = null!;

    public Event<ObservabilityStackDeletionRequested> DeletionRequested { get; private set; } = null!;

    public Event<ObservabilityStackApplied> Applied { get; private set; } = null!;

    public Event<ObservabilityStackStepFailed> StepFailed { get; private set; } = null!;

    public Event<ObservabilityStackObjectsDeleted> ObjectsDeleted { get; private set; } = null!;

    public Event<ObservabilityStackStepTimedOut> StepTimedOut { get; private set; } = null!;
}

/// <summary>The stack saga's repeated steps; everything goes through the outbox and commits with the saga.</summary>
internal static class StackActivities
{
    public static DateTimeOffset Now<TMessage>(this BehaviorContext<StackState, TMessage> context)
        where TMessage : class =>
        context.GetServiceOrCreateInstance<TimeProvider>().GetUtcNow();

    /// <summary>Changes the stack's document in the saga's transaction; a stack already gone is left gone.</summary>
    public static EventActivityBinder<StackState, TMessage> Update<TMessage>(
        this EventActivityBinder<StackState, TMessage> binder,
        Action<ObservabilityStack, BehaviorContext<StackState, TMessage>> change)
        where TMessage : class =>
        binder.ThenAsync(async context =>
        {
            var session = context.GetServiceOrCreateInstance<IDocumentSession>();
            var stack = await session.LoadAsync<ObservabilityStack>(context.Saga.StackId, context.CancellationToken);
            if (stack is null)
            {
                return;
            }

            change(stack, context);
            stack.Status.ObservedGeneration = stack.Generation;
            stack.UpdatedAt = context.Now();
            session.Store(stack);
            context.GetServiceOrCreateInstance<IOutbox>().Report(stack, context.Now());
        });

    public static EventActivityBinder<StackState, TMessage> ApplyStack<TMessage>(this EventActivityBinder<StackState, TMessage> binder)
        where TMessage : class =>
        binder
            .Update((stack, context) =>
            {
                stack.Status.Phase = stack.Status.Phase is StackPhase.Pending or StackPhase.Installing ? StackPhase.Installing : StackPhase.Updating;
                stack.SetCondition("Synced", "False", "Applying", $"Applying generation {context.Saga.Plan!.Generation}.", context.Now());
            })
            .PublishDurably(context => new ApplyObservabilityStack(context.Saga.CorrelationId, context.Saga.Plan!), context => context.Saga.TenantId)
            .ScheduleStep("apply");

    public static EventActivityBinder<StackState, TMessage> Fail<TMessage>(
        this EventActivityBinder<StackState, TMessage> binder,
        Func<BehaviorContext<StackState, TMessage>, (string Step, string FailedObject, string Message)> cause)
        where TMessage : class =>
        binder.Update((stack, context) =>
        {
            var (step, failedObject, message) = cause(context);
            var text = $"{failedObject}: {message}";
            stack.Status.Phase = StackPhase.Failed;
            foreach (var component in stack.Status.Components.Keys.ToList())
            {
                stack.Status.Components[component] = stack.Status.Components[component] with { Status = "Unknown" };
            }

            stack.SetCondition("Synced", "False", "ChildObjectFailed", text, context.Now());
            stack.SetCondition("Ready", "False", "Failed", $"The {step} step failed at {text}", context.Now());
        });

    public static EventActivityBinder<StackState, TMessage> ScheduleStep<TMessage>(this EventActivityBinder<StackState, TMessage> binder, string step)
        where TMessage : class =>
        binder.ScheduleTimeout(
            saga => saga.StepTimeoutToken,
            (saga, token) => saga.StepTimeoutToken = token,
            (context, token) => new ObservabilityStackStepTimedOut(context.Saga.CorrelationId, context.Saga.StackId, step, token),
            context => context.GetServiceOrCreateInstance<Microsoft.Extensions.Options.IOptions<StacksOptions>>().Value.StepTimeout);

    public static EventActivityBinder<StackState, TMessage> CancelStepTimeout<TMessage>(this EventActivityBinder<StackState, TMessage> binder)
        where TMessage : class =>
        binder.CancelTimeout(saga => saga.StepTimeoutToken, (saga, token) => saga.StepTimeoutToken = token);
}
