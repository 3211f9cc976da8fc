using GoCoffee.AiWorkload.CustomResources;
using GoCoffee.AiWorkload.Workloads;
using GoCoffee.Contracts.Ai;
using GoCoffee.Contracts.Cluster;
using GoCoffee.Contracts.Quotas;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;
using MassTransit;
using Microsoft.Extensions.Options;

namespace GoCoffee.AiWorkload.Deployment;

/// <summary>The deployment saga's repeated steps; everything goes through the outbox and commits with the saga.</summary>
internal static class AiDeploymentActivities
{
    public static DateTimeOffset Now<TMessage>(this BehaviorContext<AiDeploymentState, TMessage> context)
        where TMessage : class =>
        context.GetServiceOrCreateInstance<TimeProvider>().GetUtcNow();

    public static AiWorkloadOptions Options<TMessage>(this BehaviorContext<AiDeploymentState, TMessage> context)
        where TMessage : class =>
        context.GetServiceOrCreateInstance<IOptions<AiWorkloadOptions>>().Value;

    /// <summary>Changes the workload's document in the saga's transaction; a workload already gone is left gone.</summary>
    public static EventActivityBinder<AiDeploymentState, TMessage> Update<TMessage>(
        this EventActivityBinder<AiDeploymentState, TMessage> binder,
        Action<Workloads.AiWorkload, BehaviorContext<AiDeploymentState, TMessage>> change)
        where TMessage : class =>
        binder.ThenAsync(async context =>
        {
            var session = context.GetServiceOrCreateInstance<IDocumentSession>();
            var loaded = context.GetServiceOrCreateInstance<LoadedWorkload>();

            // One instance per message: a second load in the same session would stage a second, conflicting update.
            var workload = loaded.Workload ??= await session.LoadAsync<Workloads.AiWorkload>(context.Saga.WorkloadId, context.CancellationToken);
            if (workload is null)
            {
                return;
            }

            change(workload, context);
            workload.Status.ObservedGeneration = workload.Generation;
            workload.UpdatedAt = context.Now();
            session.Store(workload);
            context.GetServiceOrCreateInstance<IOutbox>().Report(workload, context.Now());
        });

    public static EventActivityBinder<AiDeploymentState, TMessage> Reserve<TMessage>(this EventActivityBinder<AiDeploymentState, TMessage> binder)
        where TMessage : class =>
        binder
            .Then(context =>
            {
                context.Saga.Attempt++;
                context.Saga.ReservationId = $"aiw:{context.Saga.WorkloadId}:base:{context.Saga.Attempt}";
            })
            .Update((w, context) =>
            {
                w.Status.Phase = AiWorkloadPhase.Pending;
                w.SetCondition("Ready", "False", "Reserving", $"Reserving {AiDeploymentStateMachine.GpusFor(context.Saga.Plan!)} GPUs in the tenant's quota.", context.Now());
            })
            .PublishDurably(
                context => new ReserveTenantQuota(context.Saga.CorrelationId, context.Saga.TenantId, context.Saga.ReservationId!, $"AIWorkload {context.Saga.WorkloadId}", AiDeploymentStateMachine.GpusFor(context.Saga.Plan!), context.Saga.Plan!.GpuType ?? string.Empty, context.Now()),
                context => context.Saga.TenantId)
            .ScheduleStep("reserve", context => context.Options().StepTimeout);

    public static EventActivityBinder<AiDeploymentState, TMessage> Apply<TMessage>(this EventActivityBinder<AiDeploymentState, TMessage> binder)
        where TMessage : class =>
        binder
            .Then(context => context.Saga.LastObserved = null)
            .Update((w, context) => w.SetCondition("Synced", "False", "Applying", $"Applying generation {context.Saga.Plan!.Generation} ({context.Saga.Plan.Model} {context.Saga.Plan.ModelVersion}).", context.Now()))
            .PublishDurably(context => new ApplyAiWorkload(context.Saga.CorrelationId, context.Saga.Plan!), context => context.Saga.TenantId)
            .ScheduleStep("apply", context => context.Options().StepTimeout);

    /// <summary>Records what the Deployment reports; once ready, the plan's version is the one serving.</summary>
    public static EventActivityBinder<AiDeploymentState, AiWorkloadReplicasObserved> Observe(this EventActivityBinder<AiDeploymentState, AiWorkloadReplicasObserved> binder) =>
        binder.Then(context => context.Saga.LastObserved = context.Message).Update((w, context) =>
        {
            w.Status.Replicas = context.Message.Replicas;
            w.Status.ReadyReplicas = context.Message.ReadyReplicas;
        });

    public static EventActivityBinder<AiDeploymentState, TMessage> Loaded<TMessage>(this EventActivityBinder<AiDeploymentState, TMessage> binder)
        where TMessage : class =>
        binder
            .Then(context => context.Saga.ServingPlan = context.Saga.Plan)
            .Update((w, context) =>
            {
                var now = context.Now();
                w.Status.Phase = AiWorkloadPhase.Running;
                w.Status.ModelStatus.Loaded = true;
                w.Status.ModelStatus.Version = context.Saga.Plan!.ModelVersion;
                w.Status.ModelStatus.PreviousVersion = null;
                w.Status.ModelStatus.LoadTime = now;
                w.ReportServingPerformance();
                w.RemoveCondition("RolloutFailed");
                w.RemoveCondition("Progressing");
                if (w.HeldBecause is { } held)
                {
                    w.SetCondition("Ready", "False", "NotAllowed", $"Scaled to zero: {held}.", now);
                }
                else
                {
                    w.SetCondition("Ready", "True", "Running", $"{context.Saga.LastObserved?.ReadyReplicas ?? context.Saga.Plan.Replicas}/{context.Saga.Plan.Replicas} replicas ready serving {context.Saga.Plan.Model} {context.Saga.Plan.ModelVersion}.", now);
                }
            });

    public static EventActivityBinder<AiDeploymentState, AiWorkloadReplicasObserved> RolloutFailed(this EventActivityBinder<AiDeploymentState, AiWorkloadReplicasObserved> binder) =>
        binder.Update((w, context) =>
        {
            var serving = context.Saga.ServingPlan?.ModelVersion;
            var message = $"Deployment {w.Namespace}/{w.Name}: progress deadline exceeded rolling out {context.Saga.Plan!.ModelVersion}: {context.Message.Message}. {(serving is null ? "No version is serving." : $"{serving} keeps serving.")}";
            w.Status.Phase = serving is null ? AiWorkloadPhase.Failed : AiWorkloadPhase.Running;
            w.Status.ModelStatus.Version = serving ?? w.Status.ModelStatus.Version;
            w.Status.ModelStatus.Loaded = serving is not null;
            w.Status.ModelStatus.PreviousVersion = null;
            w.RemoveCondition("Progressing");
            w.SetCondition("RolloutFailed", "True", "ProgressDeadlineExceeded", message, context.Now());
        });

    /// <summary>Releases the reservation (if one is held) and marks the workload Failed with the step, the object and what was said.</summary>
    public static EventActivityBinder<AiDeploymentState, TMessage> Fail<TMessage>(this EventActivityBinder<AiDeploymentState, TMessage> binder, string step, string failedObject, string message)
        where TMessage : class =>
        binder.Fail(_ => (step, failedObject, message));

    public static EventActivityBinder<AiDeploymentState, TMessage> Fail<TMessage>(
        this EventActivityBinder<AiDeploymentState, TMessage> binder,
        Func<BehaviorContext<AiDeploymentState, TMessage>, (string Step, string FailedObject, string Message)> cause)
        where TMessage : class =>
        binder
            .ReleaseReservation()
            .Update((w, context) =>
            {
                var (step, failedObject, message) = cause(context);
                var text = $"{failedObject}: {message}";
                w.Status.Phase = AiWorkloadPhase.Failed;
                w.SetCondition("Synced", "False", "ChildObjectFailed", text, context.Now());
                w.SetCondition("Ready", "False", "Failed", $"The {step} step failed at {text}; the GPU reservation was released.", context.Now());
            });

    public static EventActivityBinder<AiDeploymentState, TMessage> ReleaseReservation<TMessage>(this EventActivityBinder<AiDeploymentState, TMessage> binder)
        where TMessage : class =>
        binder.Then(context =>
        {
            if (context.Saga.ReservationId is { } reservation)
            {
                context.GetServiceOrCreateInstance<IOutbox>().Publish(
                    new ReleaseTenantQuota(context.Saga.CorrelationId, context.Saga.TenantId, reservation, context.Now()),
                    context.Saga.TenantId,
                    context.Saga.CorrelationId);
                context.Saga.ReservationId = null;
                context.Saga.ReservedGpus = 0;
            }
        });

    public static EventActivityBinder<AiDeploymentState, TMessage> ScheduleStep<TMessage>(
        this EventActivityBinder<AiDeploymentState, TMessage> binder,
        string step,
        Func<BehaviorContext<AiDeploymentState, TMessage>, TimeSpan> delay)
        where TMessage : class =>
        binder.ScheduleTimeout(
            saga => saga.StepTimeoutToken,
            (saga, token) => saga.StepTimeoutToken = token,
            (context, token) => new AiWorkloadStepTimedOut(context.Saga.CorrelationId, context.Saga.WorkloadId, step, token),
            delay);

    public static EventActivityBinder<AiDeploymentState, TMessage> CancelStepTimeout<TMessage>(this EventActivityBinder<AiDeploymentState, TMessage> binder)
        where TMessage : class =>
        binder.CancelTimeout(saga => saga.StepTimeoutToken, (saga, token) => saga.StepTimeoutToken = token);
}

/// <summary>The workload as the current message's saga step loaded it (scoped to the message).</summary>
internal sealed class LoadedWorkload
{
    public Workloads.AiWorkload? Workload { get; set; }
}
