using GoCoffee.Contracts.Ai;
using GoCoffee.Contracts.Cluster;
using GoCoffee.Contracts.Tenants;
using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.Tenant.Tiers;
using MassTransit;
using Microsoft.Extensions.Options;

namespace GoCoffee.Tenant.Lifecycle;

/// <summary>
/// One tenant's whole life: onboarding (Provisioning → ConfiguringMonitoring → Active), spec and tier changes, suspension and resumption,
/// and deletion as plan → grace period → removal. Every cluster step goes to the cluster-agent and has a durable
/// timeout; every outcome is recorded on the tenant's stream in the saga's own transaction.
/// </summary>
public sealed class TenantLifecycleStateMachine : MassTransitStateMachine<TenantLifecycleState>
{
    public TenantLifecycleStateMachine()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Registered, e => e.CorrelateById(m => m.Message.CorrelationId));
        Event(() => ChangeRequested, e => e.CorrelateById(m => m.Message.CorrelationId));
        Event(() => SuspensionRequested, e => e.CorrelateById(m => m.Message.CorrelationId));
        Event(() => ResumptionRequested, e => e.CorrelateById(m => m.Message.CorrelationId));
        Event(() => DeletionRequested, e => e.CorrelateById(m => m.Message.CorrelationId));
        Event(() => DeletionCancellationRequested, e => e.CorrelateById(m => m.Message.CorrelationId));
        Event(() => Provisioned, e => e.CorrelateById(m => m.Message.CorrelationId));
        Event(() => StepFailed, e => e.CorrelateById(m => m.Message.CorrelationId));
        Event(() => WorkloadsScaled, e => e.CorrelateById(m => m.Message.CorrelationId));
        Event(() => DeletionPlanned, e => e.CorrelateById(m => m.Message.CorrelationId));
        Event(() => ObjectsDeleted, e => e.CorrelateById(m => m.Message.CorrelationId));
        Event(() => StepTimedOut, e => e.CorrelateById(m => m.Message.CorrelationId));
        Event(() => GraceElapsed, e => e.CorrelateById(m => m.Message.CorrelationId));
        Event(() => AiWorkloadsRemoved, e => e.CorrelateById(m => m.Message.CorrelationId));
        Event(() => MonitoringProvisioned, e => e.CorrelateById(m => m.Message.CorrelationId));

        // Requests the API refused already can still arrive late or twice (redelivery): they change nothing.
        OnUnhandledEvent(context => context.Ignore());

        Initially(
            When(Registered)
                .Then(context =>
                {
                    context.Saga.TenantId = context.Message.TenantId;
                    context.Saga.Tier = context.Message.Plan.Tier;
                })
                .Record(context => new ProvisioningStarted(context.Message.Plan, $"Creating {context.Message.Plan.Namespaces.Count} namespaces.", context.Now()))
                .PublishDurably(context => new ProvisionTenantNamespaces(context.Saga.CorrelationId, context.Message.Plan))
                .ScheduleStepTimeout("provision")
                .TransitionTo(Provisioning));

        During(
            Active,
            When(ChangeRequested)
                .Then(context => context.Saga.Tier = context.Message.Plan.Tier)
                .Record(context => new ProvisioningStarted(context.Message.Plan, $"Applying change: {context.Message.Change}.", context.Now()))
                .PublishDurably(context => new ProvisionTenantNamespaces(context.Saga.CorrelationId, context.Message.Plan))
                .ScheduleStepTimeout("update")
                .TransitionTo(Provisioning),
            When(SuspensionRequested)
                .Then(context => context.Saga.SuspensionReason = context.Message.Reason)
                .PublishDurably(context => new ScaleTenantWorkloads(context.Saga.CorrelationId, context.Saga.TenantId, context.Saga.Namespaces, Suspend: true))
                .ScheduleStepTimeout("suspend")
                .TransitionTo(Suspending));

        During(
            Failed,
            When(ChangeRequested)
                .Then(context => context.Saga.Tier = context.Message.Plan.Tier)
                .Record(context => new ProvisioningStarted(context.Message.Plan, $"Retrying after failure: {context.Message.Change}.", context.Now()))
                .PublishDurably(context => new ProvisionTenantNamespaces(context.Saga.CorrelationId, context.Message.Plan))
                .ScheduleStepTimeout("provision")
                .TransitionTo(Provisioning));

        During(
            Provisioning,
            When(Provisioned)
                .CancelStepTimeout()
                .Then(context => context.Saga.Namespaces = [.. context.Message.Namespaces])
                .Record(context => new NamespacesProvisioned(context.Message.Namespaces, context.Message.Objects.Count, context.Now()))
                .PublishDurably(context => new ProvisionTenantMonitoring(context.Saga.CorrelationId, context.Saga.TenantId, context.Saga.Namespaces))
                .ScheduleStepTimeout("monitoring")
                .TransitionTo(ConfiguringMonitoring));

        // The tenant's monitoring step (its alert route and dashboards folder), after its namespaces exist.
        During(
            ConfiguringMonitoring,
            When(MonitoringProvisioned)
                .CancelStepTimeout()
                .Record(context => new MonitoringConfigured(context.Message.Objects, context.Now()))
                .IfElse(
                    context => context.Saga.WasActivated,
                    updated => updated,
                    activated => activated
                        .Then(context => context.Saga.WasActivated = true)
                        .ActivatePendingApiKeys()
                        .PublishDurably(
                            context => new TenantActivated(
                                context.Saga.CorrelationId,
                                context.Saga.TenantId,
                                context.Saga.Tier,
                                context.Saga.Namespaces,
                                context.Now(),
                                TierCatalog.Find(context.Saga.Tier)?.RateLimitPerMinute ?? 0,
                                TierCatalog.Find(context.Saga.Tier)?.Features() ?? [],
                                context.Saga.TenantVersion),
                            context => context.Saga.TenantId))
                .TransitionTo(Active)
                .StartPendingDeletion(this)
                .StartPendingChange(this)
                .StartPendingSuspension(this));

        // Either step of a provisioning round failing, or not answering in time, fails the tenant.
        During(
            new[] { Provisioning, ConfiguringMonitoring },
            When(StepFailed)
                .CancelStepTimeout()
                .Record(context => new ClusterStepFailed(context.Message.Step, context.Message.FailedObject.ToString(), context.Message.StatusCode, context.Message.Message, context.Message.RemovedObjects.Select(o => o.ToString()).ToList(), context.Now()))
                .PublishDurably(
                    context => new TenantFailed(context.Saga.CorrelationId, context.Saga.TenantId, "ChildObjectFailed", $"{context.Message.FailedObject}: {context.Message.Message}", context.Now(), context.Saga.TenantVersion),
                    context => context.Saga.TenantId)
                .TransitionTo(Failed)
                .StartPendingDeletion(this)
                .StartPendingChange(this),
            When(StepTimedOut, context => context.Message.Token == context.Saga.StepTimeoutToken)
                .Then(context => context.Saga.StepTimeoutToken = null)
                .Record(context => new ClusterStepFailed(context.Message.Step, "cluster-agent", 504, $"No answer to the {context.Message.Step} step in time; nothing more will be applied.", [], context.Now()))
                .PublishDurably(
                    context => new TenantFailed(context.Saga.CorrelationId, context.Saga.TenantId, "StepTimedOut", $"The {context.Message.Step} step timed out.", context.Now(), context.Saga.TenantVersion),
                    context => context.Saga.TenantId)
                .TransitionTo(Failed)
                .StartPendingDeletion(this)
                .StartPendingChange(this));

        During(
            Suspending,
            When(WorkloadsScaled)
                .CancelStepTimeout()
                .Record(context => new WorkloadsSuspended("Suspended", context.Message.Workloads.Count, context.Now()))
                .PublishDurably(
                    context => new TenantSuspended(context.Saga.CorrelationId, context.Saga.TenantId, context.Saga.SuspensionReason ?? "Suspended by an operator", context.Now(), context.Saga.TenantVersion),
                    context => context.Saga.TenantId)
                .TransitionTo(Suspended),
            When(StepFailed)
                .CancelStepTimeout()
                .Record(context => new ClusterStepFailed(context.Message.Step, context.Message.FailedObject.ToString(), context.Message.StatusCode, context.Message.Message, [], context.Now()))
                .TransitionTo(Failed),
            When(StepTimedOut, context => context.Message.Token == context.Saga.StepTimeoutToken)
                .Record(context => new ClusterStepFailed(context.Message.Step, "cluster-agent", 504, "No answer to the suspend step in time.", [], context.Now()))
                .TransitionTo(Failed));

        During(
            Suspended,
            When(ResumptionRequested)
                .PublishDurably(context => new ScaleTenantWorkloads(context.Saga.CorrelationId, context.Saga.TenantId, context.Saga.Namespaces, Suspend: false))
                .ScheduleStepTimeout("resume")
                .TransitionTo(Resuming));

        During(
            Resuming,
            When(WorkloadsScaled)
                .CancelStepTimeout()
                .Record(context => new WorkloadsResumed(context.Message.Workloads.Count, context.Now()))
                .PublishDurably(
                    context => new TenantResumed(context.Saga.CorrelationId, context.Saga.TenantId, context.Now(), context.Saga.TenantVersion),
                    context => context.Saga.TenantId)
                .TransitionTo(Active),
            When(StepFailed)
                .CancelStepTimeout()
                .Record(context => new ClusterStepFailed(context.Message.Step, context.Message.FailedObject.ToString(), context.Message.StatusCode, context.Message.Message, [], context.Now()))
                .TransitionTo(Failed),
            When(StepTimedOut, context => context.Message.Token == context.Saga.StepTimeoutToken)
                .Record(context => new ClusterStepFailed(context.Message.Step, "cluster-agent", 504, "No answer to the resume step in time.", [], context.Now()))
                .TransitionTo(Failed));

        During(
            new[] { Active, Suspended, Failed },
            When(DeletionRequested)
                .Then(context => context.Saga.PendingDeletionGracePeriod = context.Message.GracePeriod)
                .StartPendingDeletion(this));

        // An active tenant's change is being applied (its phase still says Active, so the API accepts a deletion): the
        // deletion waits for the round to end rather than being lost.
        During(
            new[] { Provisioning, ConfiguringMonitoring },
            When(DeletionRequested, context => context.Saga.WasActivated)
                .Then(context => context.Saga.PendingDeletionGracePeriod = context.Message.GracePeriod),
            When(ChangeRequested, context => context.Saga.WasActivated)
                .Then(context =>
                {
                    context.Saga.PendingPlan = context.Message.Plan;
                    context.Saga.PendingChange = context.Saga.PendingChange is { } earlier ? $"{earlier}; {context.Message.Change}" : context.Message.Change;
                }),
            When(SuspensionRequested, context => context.Saga.WasActivated)
                .Then(context => context.Saga.PendingSuspensionReason = context.Message.Reason));

        During(
            PlanningDeletion,
            When(DeletionPlanned)
                .CancelStepTimeout()
                .Then(context => context.Saga.DeletionObjects = [.. context.Message.Objects])
                .Record(context => new Lifecycle.DeletionPlanned(context.Message.Objects, context.Now() + context.Saga.GracePeriod, context.Now()))
                .ScheduleTimeout(
                    saga => saga.GraceToken,
                    (saga, token) => saga.GraceToken = token,
                    (context, token) => new TenantDeletionGraceElapsed(context.Saga.CorrelationId, context.Saga.TenantId, token),
                    context => context.Saga.GracePeriod)
                .TransitionTo(AwaitingDeletion),
            When(StepTimedOut, context => context.Message.Token == context.Saga.StepTimeoutToken)
                .Record(context => new ClusterStepFailed(context.Message.Step, "cluster-agent", 504, "No answer to the deletion plan in time.", [], context.Now()))
                .TransitionTo(Failed));

        During(
            AwaitingDeletion,
            When(DeletionCancellationRequested)
                .CancelTimeout(saga => saga.GraceToken, (saga, token) => saga.GraceToken = token)
                .Record(context => new DeletionCancelled(context.Now()))
                .Then(context => context.Saga.DeletionObjects = [])
                .IfElse(
                    context => context.Saga.StateBeforeDeletion == nameof(Suspended),
                    suspended => suspended.TransitionTo(Suspended),
                    other => other.IfElse(
                        context => context.Saga.StateBeforeDeletion == nameof(Failed),
                        failed => failed.TransitionTo(Failed),
                        active => active.TransitionTo(Active))),
            When(GraceElapsed, context => context.Message.Token == context.Saga.GraceToken)
                .Then(context => context.Saga.GraceToken = null)
                .ThenAsync(async context =>
                {
                    var tenant = await context.GetServiceOrCreateInstance<Marten.IDocumentSession>().LoadAsync<Tenant>(context.Saga.TenantId, context.CancellationToken);
                    // Whenever AI was enabled, not only now: workloads created before it was disabled are still there.
                    context.Saga.RemovesAiWorkloads = tenant is not null && (tenant.AiEverEnabled || tenant.Spec.Services?.Ai?.Enabled == true);
                })
                .IfElse(
                    context => context.Saga.RemovesAiWorkloads,
                    // Its AI workloads go first, through the ai-workload service (their objects, their GPU reservations).
                    ai => ai
                        .PublishDurably(context => new RemoveTenantAiWorkloads(context.Saga.CorrelationId, context.Saga.TenantId, context.Now()), context => context.Saga.TenantId)
                        .ScheduleStepTimeout("remove-ai-workloads")
                        .TransitionTo(RemovingAiWorkloads),
                    none => none
                        .PublishDurably(context => new DeleteTenantObjects(context.Saga.CorrelationId, context.Saga.TenantId, context.Saga.DeletionObjects))
                        .ScheduleStepTimeout("delete")
                        .TransitionTo(Deleting)));

        During(
            RemovingAiWorkloads,
            When(AiWorkloadsRemoved)
                .CancelStepTimeout()
                .PublishDurably(context => new DeleteTenantObjects(context.Saga.CorrelationId, context.Saga.TenantId, context.Saga.DeletionObjects))
                .ScheduleStepTimeout("delete")
                .TransitionTo(Deleting),
            When(StepTimedOut, context => context.Message.Token == context.Saga.StepTimeoutToken)
                .Record(context => new ClusterStepFailed(context.Message.Step, "ai-workload service", 504, "The tenant's AI workloads were not all removed in time; its namespaces were left in place. Request the deletion again.", [], context.Now()))
                .TransitionTo(Failed));

        During(
            Deleting,
            When(ObjectsDeleted)
                .CancelStepTimeout()
                .Record(context => new TenantRemoved(context.Message.Deleted, context.Message.Skipped, context.Now()))
                .RevokeAllApiKeys()
                .PublishDurably(context => new TenantDeleted(context.Saga.CorrelationId, context.Saga.TenantId, context.Now(), context.Saga.TenantVersion), context => context.Saga.TenantId)
                .TransitionTo(Deleted),
            When(StepFailed)
                .CancelStepTimeout()
                .Record(context => new ClusterStepFailed(context.Message.Step, context.Message.FailedObject.ToString(), context.Message.StatusCode, context.Message.Message, [], context.Now()))
                .TransitionTo(Failed),
            When(StepTimedOut, context => context.Message.Token == context.Saga.StepTimeoutToken)
                .Record(context => new ClusterStepFailed(context.Message.Step, "cluster-agent", 504, "No answer to the delete step in time.", [], context.Now()))
                .TransitionTo(Failed));
    }

    public State Provisioning { get; private set; } = null!;

    public State ConfiguringMonitoring { get; private set; } = null!;

    public State Active { get; private set; } = null!;

    public State Suspending { get; private set; } = null!;

    public State Suspended { get; private set; } = null!;

    public State Resuming { get; private set; } = null!;

    public State PlanningDeletion { get; private set; } = null!;

    public State AwaitingDeletion { get; private set; } = null!;

    public State RemovingAiWorkloads { get; private set; } = null!;

    public State Deleting { get; private set; } = null!;

    public State Deleted { get; private set; } = null!;

    public State Failed { get; private set; } = null!;

    public Event<TenantRegistered> Registered { get; private set; } = null!;

    public Event<TenantChangeRequested> ChangeRequested { get; private set; } = null!;

    public Event<TenantSuspensionRequested> SuspensionRequested { get; private set; } = null!;

    public Event<TenantResumptionRequested> ResumptionRequested { get; private set; } = null!;

    public Event<TenantDeletionRequested> DeletionRequested { get; private set; } = null!;

    public Event<TenantDeletionCancellationRequested> DeletionCancellationRequested { get; private set; } = null!;

    public Event<TenantNamespacesProvisioned> Provisioned { get; private set; } = null!;

    public Event<TenantClusterStepFailed> StepFailed { get; private set; } = null!;

    public Event<TenantWorkloadsScaled> WorkloadsScaled { get; private set; } = null!;

    public Event<Contracts.Cluster.TenantDeletionPlanned> DeletionPlanned { get; private set; } = null!;

    public Event<TenantObjectsDeleted> ObjectsDeleted { get; private set; } = null!;

    public Event<TenantStepTimedOut> StepTimedOut { get; private set; } = null!;

    public Event<TenantDeletionGraceElapsed> GraceElapsed { get; private set; } = null!;

    public Event<TenantAiWorkloadsRemoved> AiWorkloadsRemoved { get; private set; } = null!;

    public Event<TenantMonitoringProvisioned> MonitoringProvisioned { get; private set; } = null!;
}
