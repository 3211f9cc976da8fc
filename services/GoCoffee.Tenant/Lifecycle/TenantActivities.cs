using GoCoffee.Contracts.Cluster;
using GoCoffee.Contracts.Tenants;
using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.Tenant.ApiKeys;
using Marten;
using MassTransit;

namespace GoCoffee.Tenant.Lifecycle;

/// <summary>The lifecycle saga's repeated steps: recording on the tenant's stream (same transaction as the saga) and keys.</summary>
internal static class TenantActivities
{
    public static DateTimeOffset Now<TMessage>(this BehaviorContext<TenantLifecycleState, TMessage> context)
        where TMessage : class =>
        context.GetServiceOrCreateInstance<TimeProvider>().GetUtcNow();

    /// <summary>
    /// Appends a domain event to the tenant's stream (its version on the saga, for the messages that follow to carry);
    /// it commits with the saga's new state and outbox. A tenant that
    /// came from a Kubernetes custom resource also gets its new status published, for the cluster-agent to write back.
    /// </summary>
    public static EventActivityBinder<TenantLifecycleState, TMessage> Record<TMessage>(
        this EventActivityBinder<TenantLifecycleState, TMessage> binder,
        Func<BehaviorContext<TenantLifecycleState, TMessage>, object> domainEvent)
        where TMessage : class =>
        binder.ThenAsync(async context =>
        {
            var session = context.GetServiceOrCreateInstance<IDocumentSession>();
            var recorded = domainEvent(context);
            session.LastModifiedBy ??= "system:tenant-lifecycle";
            context.Saga.TenantVersion = await TenantStream.AppendOne(session, context.Saga.TenantId, recorded, context.CancellationToken);

            var tenant = await session.LoadAsync<Tenant>(context.Saga.TenantId, context.CancellationToken);
            if (tenant is { Source: Tenant.ClusterSource })
            {
                tenant.Evolve(recorded);
                context.GetServiceOrCreateInstance<IOutbox>().Publish(
                    new TenantStatusChanged(tenant.Id, tenant.ResourceName, tenant.ToStatus(), context.Now()),
                    tenant.Id);
            }
        });

    public static EventActivityBinder<TenantLifecycleState, TMessage> ScheduleStepTimeout<TMessage>(
        this EventActivityBinder<TenantLifecycleState, TMessage> binder,
        string step)
        where TMessage : class =>
        binder.ScheduleTimeout(
            saga => saga.StepTimeoutToken,
            (saga, token) => saga.StepTimeoutToken = token,
            (context, token) => new TenantStepTimedOut(context.Saga.CorrelationId, context.Saga.TenantId, step, token),
            context => context.GetServiceOrCreateInstance<Microsoft.Extensions.Options.IOptions<TenantLifecycleOptions>>().Value.StepTimeout);

    public static EventActivityBinder<TenantLifecycleState, TMessage> CancelStepTimeout<TMessage>(
        this EventActivityBinder<TenantLifecycleState, TMessage> binder)
        where TMessage : class =>
        binder.CancelTimeout(saga => saga.StepTimeoutToken, (saga, token) => saga.StepTimeoutToken = token);

    /// <summary>
    /// A deletion the tenant was asked for (just now, or while a change was being applied): its plan is asked for, and a
    /// cancelled deletion returns to the state the tenant is in now.
    /// </summary>
    public static EventActivityBinder<TenantLifecycleState, TMessage> StartPendingDeletion<TMessage>(
        this EventActivityBinder<TenantLifecycleState, TMessage> binder,
        TenantLifecycleStateMachine machine)
        where TMessage : class =>
        binder.If(
            context => context.Saga.PendingDeletionGracePeriod is not null,
            deletion => deletion
                .Then(context =>
                {
                    context.Saga.GracePeriod = context.Saga.PendingDeletionGracePeriod!.Value;
                    context.Saga.PendingDeletionGracePeriod = null;
                    context.Saga.PendingPlan = null;
                    context.Saga.PendingChange = null;
                    context.Saga.PendingSuspensionReason = null;
                    context.Saga.StateBeforeDeletion = context.Saga.CurrentState;
                })
                .PublishDurably(context => new PlanTenantDeletion(context.Saga.CorrelationId, context.Saga.TenantId))
                .ScheduleStepTimeout("plan-deletion")
                .TransitionTo(machine.PlanningDeletion));

    /// <summary>
    /// A change asked for while another round ran (and no deletion came after it): asked for again, with the newest plan,
    /// so that it starts in a transaction of its own once this one commits (each records on the tenant's stream).
    /// </summary>
    public static EventActivityBinder<TenantLifecycleState, TMessage> StartPendingChange<TMessage>(
        this EventActivityBinder<TenantLifecycleState, TMessage> binder,
        TenantLifecycleStateMachine machine)
        where TMessage : class =>
        binder.If(
            context => context.Saga.PendingPlan is not null && context.Saga.PendingDeletionGracePeriod is null
                       && (context.Saga.CurrentState == machine.Active.Name || context.Saga.CurrentState == machine.Failed.Name),
            change => change
                .PublishDurably(
                    context => new TenantChangeRequested(context.Saga.CorrelationId, context.Saga.TenantId, context.Saga.PendingPlan!, context.Saga.PendingChange ?? "changed", context.Now()),
                    context => context.Saga.TenantId)
                .Then(context =>
                {
                    context.Saga.PendingPlan = null;
                    context.Saga.PendingChange = null;
                }));

    /// <summary>A suspension asked for while a change was applied: asked for again once the tenant is Active.</summary>
    public static EventActivityBinder<TenantLifecycleState, TMessage> StartPendingSuspension<TMessage>(
        this EventActivityBinder<TenantLifecycleState, TMessage> binder,
        TenantLifecycleStateMachine machine)
        where TMessage : class =>
        binder.If(
            context => context.Saga.PendingSuspensionReason is not null && context.Saga.CurrentState == machine.Active.Name,
            suspension => suspension
                .PublishDurably(
                    context => new TenantSuspensionRequested(context.Saga.CorrelationId, context.Saga.TenantId, context.Saga.PendingSuspensionReason!, context.Now()),
                    context => context.Saga.TenantId)
                .Then(context => context.Saga.PendingSuspensionReason = null));

    /// <summary>Keys issued before activation start working now: the gateway learns them from <see cref="ApiKeyIssued"/>.</summary>
    public static EventActivityBinder<TenantLifecycleState, TMessage> ActivatePendingApiKeys<TMessage>(
        this EventActivityBinder<TenantLifecycleState, TMessage> binder)
        where TMessage : class =>
        binder.ThenAsync(async context =>
        {
            var session = context.GetServiceOrCreateInstance<IDocumentSession>();
            var outbox = context.GetServiceOrCreateInstance<IOutbox>();
            var pending = await session.Query<ApiKey>()
                .Where(key => key.TenantId == context.Saga.TenantId && key.Status == ApiKeyStatus.Pending)
                .ToListAsync(context.CancellationToken);
            foreach (var key in pending)
            {
                key.Status = ApiKeyStatus.Active;
                session.Store(key);
                outbox.Publish(key.Issued(), context.Saga.TenantId);
            }
        });

    /// <summary>A deleted tenant's keys stop working everywhere.</summary>
    public static EventActivityBinder<TenantLifecycleState, TMessage> RevokeAllApiKeys<TMessage>(
        this EventActivityBinder<TenantLifecycleState, TMessage> binder)
        where TMessage : class =>
        binder.ThenAsync(async context =>
        {
            var session = context.GetServiceOrCreateInstance<IDocumentSession>();
            var outbox = context.GetServiceOrCreateInstance<IOutbox>();
            var now = context.Now();
            var keys = await session.Query<ApiKey>()
                .Where(key => key.TenantId == context.Saga.TenantId && key.Status != ApiKeyStatus.Revoked)
                .ToListAsync(context.CancellationToken);
            foreach (var key in keys)
            {
                key.Revoke(now);
                session.Store(key);
                outbox.Publish(new ApiKeyRevoked(key.TenantId, key.Id, now), context.Saga.TenantId);
            }
        });
}
