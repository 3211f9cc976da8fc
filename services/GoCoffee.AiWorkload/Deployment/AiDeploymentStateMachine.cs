using GoCoffee.AiWorkload.Workloads;
using GoCoffee.Contracts.Ai;
using GoCoffee.Contracts.Cluster;
using GoCoffee.Contracts.Quotas;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;
using MassTransit;
using Microsoft.Extensions.Options;

namespace GoCoffee.AiWorkload.Deployment;

/// <summary>
/// One AI workload's deployment: reserve its GPUs in the tenant's ledger (over the bus) → the cluster-agent applies
/// its objects → the agent reports the Deployment's ready replicas → Running. A refusal or a failure releases the
/// reservation and ends Failed with a condition naming the cause. Every step has a durable timeout; every change of
/// status is written to the workload in the saga's own transaction.
/// </summary>
public sealed class AiDeploymentStateMachine : MassTransitStateMachine<AiDeploymentState>
{
    public AiDeploymentStateMachine()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Requested, e => e.CorrelateById(m => m.Message.CorrelationId));
        Event(() => DeletionRequested, e =>
        {
            e.CorrelateById(m => m.Message.CorrelationId);
            e.OnMissingInstance(m => m.Discard());
        });
        Event(() => Reserved, e =>
        {
            e.CorrelateById(m => m.Message.CorrelationId);
            e.OnMissingInstance(m => m.Discard());
        });
        Event(() => Refused, e =>
        {
            e.CorrelateById(m => m.Message.CorrelationId);
            e.OnMissingInstance(m => m.Discard());
        });
        Event(() => Released, e =>
        {
            e.CorrelateById(m => m.Message.CorrelationId);
            e.OnMissingInstance(m => m.Discard());
        });
        Event(() => Applied, e =>
        {
            e.CorrelateById(m => m.Message.CorrelationId);
            e.OnMissingInstance(m => m.Discard());
        });
        Event(() => Observed, e =>
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
                    context.Saga.WorkloadId = context.Message.WorkloadId;
                    context.Saga.TenantId = context.Message.Plan.TenantId;
                    context.Saga.Plan = context.Message.Plan;
                })
                .IfElse(
                    context => GpusFor(context.Message.Plan) > 0,
                    reserve => reserve.Reserve().TransitionTo(Reserving),
                    apply => apply.Apply().TransitionTo(Applying)));

        During(
            Reserving,
            When(Reserved, context => context.Message.ReservationId == context.Saga.ReservationId)
                .CancelStepTimeout()
                .Then(context => context.Saga.ReservedGpus = context.Message.Gpus)
                .Apply()
                .TransitionTo(Applying),
            When(Refused, context => context.Message.ReservationId == context.Saga.ReservationId)
                .CancelStepTimeout()
                .Then(context => context.Saga.ReservationId = null)
                .Update((w, context) =>
                {
                    var m = context.Message;
                    var message = m.Field == "gpu"
                        ? $"The tenant's GPU quota does not cover {GpusFor(context.Saga.Plan!)} GPUs: {m.Reason} (the tenant has {m.GpusAvailable} GPUs left). Nothing was created."
                        : $"The tenant's ledger refused the reservation ({m.Field}): {m.Reason}. Nothing was created.";
                    w.Status.Phase = AiWorkloadPhase.Failed;
                    w.SetCondition("Ready", "False", "QuotaExceeded", message, context.Now());
                    w.SetCondition("Synced", "False", "QuotaExceeded", message, context.Now());
                })
                .TransitionTo(Failed),
            When(StepTimedOut, context => context.Message.Token == context.Saga.StepTimeoutToken)
                .Fail("reserve", "tenant service", "No answer from the tenant's quota ledger in time.")
                .TransitionTo(Failed));

        During(
            Applying,
            When(Applied, context => context.Message.Generation == context.Saga.Plan!.Generation)
                .CancelStepTimeout()
                .Update((w, context) =>
                {
                    w.Objects = [.. context.Message.Objects];
                    w.Status.Phase = w.Status.ModelStatus.Loaded ? w.Status.Phase : AiWorkloadPhase.Initializing;
                    w.Status.Replicas = context.Saga.Plan!.Replicas;
                    w.SetCondition("Synced", "True", "Applied", $"{context.Message.Objects.Count} objects applied: {string.Join(", ", context.Message.Objects)}.", context.Now());
                    if (!w.Status.ModelStatus.Loaded)
                    {
                        w.SetCondition("Ready", "False", "Initializing", $"Waiting for {context.Saga.Plan.Replicas} ready replicas of Deployment {w.Namespace}/{w.Name}.", context.Now());
                    }
                })
                .ScheduleStep("ready", context => context.Options().ReadyTimeout)
                .TransitionTo(Initializing)
                .If(
                    context => context.Saga.LastObserved is { } seen && IsReady(context.Saga.Plan!, seen),
                    ready => ready.CancelStepTimeout().Loaded().TransitionTo(Running)),
            When(Observed).Then(context => context.Saga.LastObserved = context.Message),
            When(StepFailed)
                .CancelStepTimeout()
                .Fail(context => (context.Message.Step, context.Message.FailedObject.ToString(), $"{context.Message.StatusCode} {context.Message.Message}"))
                .TransitionTo(Failed),
            When(StepTimedOut, context => context.Message.Token == context.Saga.StepTimeoutToken)
                .Fail("apply", "cluster-agent", "No answer to the apply step in time.")
                .TransitionTo(Failed));

        During(
            Initializing,
            When(Observed)
                .Observe()
                .If(
                    context => IsReady(context.Saga.Plan!, context.Message),
                    ready => ready.CancelStepTimeout().Loaded().TransitionTo(Running))
                .If(
                    context => context.Message.ProgressDeadlineExceeded,
                    failed => failed.CancelStepTimeout().RolloutFailed().TransitionTo(Running)),
            When(StepTimedOut, context => context.Message.Token == context.Saga.StepTimeoutToken)
                .Fail("ready", "Deployment", "The Deployment's replicas did not become ready in time.")
                .TransitionTo(Failed));

        During(
            Running,
            When(Observed).Observe());

        During(
            Reserving,
            When(Requested, context => GpusFor(context.Message.Plan) == GpusFor(context.Saga.Plan!))
                .Then(context => context.Saga.Plan = context.Message.Plan));

        // A changed spec (or a moved alias) while applied: apply the new plan; the reservation follows the base GPUs.
        During(
            new[] { Applying, Initializing, Running, Failed },
            When(Requested)
                .Then(context => context.Saga.Plan = context.Message.Plan)
                .If(
                    context => context.Saga.ReservationId is not null && context.Saga.ReservedGpus != GpusFor(context.Message.Plan),
                    release => release.ReleaseReservation())
                .IfElse(
                    context => context.Saga.ReservationId is null && GpusFor(context.Message.Plan) > 0,
                    reserve => reserve.Reserve().TransitionTo(Reserving),
                    apply => apply.Apply().TransitionTo(Applying)));

        During(
            new[] { Reserving, Applying, Initializing, Running, Failed },
            When(DeletionRequested)
                .Update((w, context) =>
                {
                    w.Status.Phase = AiWorkloadPhase.Terminating;
                    w.SetCondition("Ready", "False", "Terminating", "Deleting the workload's objects.", context.Now());
                })
                .PublishDurably(context => new DeleteAiWorkloadObjects(context.Saga.CorrelationId, context.Saga.TenantId, context.Saga.Plan!.Namespace, context.Saga.Plan.Name), context => context.Saga.TenantId)
                .ScheduleStep("delete", context => context.Options().StepTimeout)
                .TransitionTo(Deleting));

        During(
            Deleting,
            When(ObjectsDeleted)
                .CancelStepTimeout()
                .ReleaseReservation()
                .ThenAsync(async context =>
                {
                    var session = context.GetServiceOrCreateInstance<IDocumentSession>();
                    session.Delete<Workloads.AiWorkload>(context.Saga.WorkloadId);
                    await Task.CompletedTask;
                })
                .Finalize(),
            When(StepFailed)
                .CancelStepTimeout()
                .Fail(context => (context.Message.Step, context.Message.FailedObject.ToString(), $"{context.Message.StatusCode} {context.Message.Message}"))
                .TransitionTo(Failed),
            When(StepTimedOut, context => context.Message.Token == context.Saga.StepTimeoutToken)
                .Update((w, context) => w.SetCondition("Synced", "False", "DeleteTimedOut", "No answer to the delete step in time; delete again to retry.", context.Now()))
                .TransitionTo(Failed));

        SetCompletedWhenFinalized();
    }

    public State Reserving { get; private set; } = null!;

    public State Applying { get; private set; } = null!;

    public State Initializing { get; private set; } = null!;

    public State Running { get; private set; } = null!;

    public State Deleting { get; private set; } = null!;

    public State Failed { get; private set; } = null!;

    public Event<AiWorkloadDeploymentRequested> Requested { get; private set; } = null!;

    public Event<AiWorkloadDeletionRequested> DeletionRequested { get; private set; } = null!;

    public Event<TenantQuotaReserved> Reserved { get; private set; } = null!;

    public Event<TenantQuotaRefused> Refused { get; private set; } = null!;

    public Event<TenantQuotaReleased> Released { get; private set; } = null!;

    public Event<AiWorkloadApplied> Applied { get; private set; } = null!;

    public Event<AiWorkloadReplicasObserved> Observed { get; private set; } = null!;

    public Event<AiWorkloadClusterStepFailed> StepFailed { get; private set; } = null!;

    public Event<AiWorkloadObjectsDeleted> ObjectsDeleted { get; private set; } = null!;

    public Event<AiWorkloadStepTimedOut> StepTimedOut { get; private set; } = null!;

    /// <summary>The GPUs the base replicas hold: minimum replicas × GPUs per replica.</summary>
    public static int GpusFor(AiWorkloadPlan plan) => plan.MinReplicas * plan.GpusPerReplica;

    internal static bool IsReady(AiWorkloadPlan plan, AiWorkloadReplicasObserved observed) =>
        observed.ReadyReplicas >= plan.Replicas && observed.UpdatedReplicas >= plan.Replicas && observed.ModelVersion == plan.ModelVersion;
}
