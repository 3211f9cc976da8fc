using GoCoffee.ClusterAgent.Objects;
using GoCoffee.ClusterAgent.Provisioning;
using GoCoffee.ClusterAgent.Targets;
using GoCoffee.ClusterAgent.Tenants;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Observability;
using GoCoffee.ServiceDefaults.Messaging;
using MassTransit;

namespace GoCoffee.ClusterAgent.Observability;

/// <summary>
/// Applies an observability stack's objects (server-side apply, marked with the command's id) in the stack's
/// namespace, then removes the stack's objects the plan no longer makes (a component switched off, a target gone).
/// A step that fails for good removes what this run created and reports the object and the server's words.
/// </summary>
public sealed class ApplyObservabilityStackConsumer(IClusterTarget target, IOutbox outbox, ILogger<ApplyObservabilityStackConsumer> logger) : IConsumer<ApplyObservabilityStack>
{
    public const string Step = "apply";

    public async Task Consume(ConsumeContext<ApplyObservabilityStack> context)
    {
        var command = context.Message;
        var plan = command.Plan;
        var prometheus = new ClusterObjectRef(MonitoringKinds.Prometheus.ApiVersion, MonitoringKinds.Prometheus.Kind, plan?.Namespace, plan?.Name ?? string.Empty);
        var reason = plan is null ? "the command carries no plan" : TenantInvariants.CheckTenantId(plan.TenantId) ?? TenantInvariants.CheckNamespace(plan.TenantId, plan.Namespace) ?? CheckTargets(plan);
        if (reason is not null)
        {
            var refusal = TenantInvariants.Refusal(prometheus, reason);
            logger.LogWarning("Refused to apply observability stack {ClusterObject}: {Reason}", prometheus, refusal.Reason);
            Fail(command, prometheus, refusal.StatusCode, refusal.Reason, []);
            return;
        }

        var journal = new ProvisioningJournal(target, plan!.TenantId, context.MessageId, logger);
        var pruned = new List<ClusterObjectRef>();
        try
        {
            foreach (var manifest in ObservabilityStackObjects.For(plan))
            {
                await journal.Apply(manifest, context.CancellationToken);
            }

            var applied = journal.Applied.ToHashSet();
            foreach (var stale in (await StackObjects.List(target, plan.TenantId, plan.Namespace, plan.Name, context.CancellationToken)).Where(o => !applied.Contains(o)))
            {
                if (await target.DeleteAsync(stale, plan.TenantId, context.CancellationToken) == DeleteOutcome.Deleted)
                {
                    pruned.Add(stale);
                }
            }
        }
        catch (ClusterRequestFailedException failure)
        {
            logger.LogWarning("Applying observability stack {Namespace}/{Name} failed at {ClusterObject}: {StatusCode} {Reason}", plan.Namespace, plan.Name, failure.Target, failure.StatusCode, failure.Reason);
            var removed = await journal.Undo(CancellationToken.None);
            Fail(command, failure.Target, failure.StatusCode, failure.Reason, removed);
            return;
        }

        outbox.Publish(
            new ObservabilityStackApplied(command.CorrelationId, plan.TenantId, plan.Namespace, plan.Name, plan.Generation, [.. journal.Applied], ObservabilityStackObjects.Components(plan), pruned),
            plan.TenantId,
            command.CorrelationId);
    }

    /// <summary>A stack scrapes only its tenant's namespaces.</summary>
    private static string? CheckTargets(ObservabilityStackPlan plan) =>
        (plan.Spec.Monitoring?.Targets ?? []).Select(t => t.Namespace is null ? null : TenantInvariants.CheckNamespace(plan.TenantId, t.Namespace)).FirstOrDefault(r => r is not null);

    private void Fail(ApplyObservabilityStack command, ClusterObjectRef failed, int statusCode, string message, IReadOnlyList<ClusterObjectRef> removed) =>
        outbox.Publish(
            new ObservabilityStackStepFailed(command.CorrelationId, command.Plan?.TenantId ?? string.Empty, command.Plan?.Namespace ?? string.Empty, command.Plan?.Name ?? string.Empty, Step, failed, statusCode, message, removed),
            string.IsNullOrEmpty(command.Plan?.TenantId) ? null : command.Plan.TenantId,
            command.CorrelationId);
}

/// <summary>Removes every object the platform made for the stack (each only if it is the tenant's and labelled for the stack).</summary>
public sealed class DeleteObservabilityStackObjectsConsumer(IClusterTarget target, IOutbox outbox, ILogger<DeleteObservabilityStackObjectsConsumer> logger) : IConsumer<DeleteObservabilityStackObjects>
{
    public async Task Consume(ConsumeContext<DeleteObservabilityStackObjects> context)
    {
        var command = context.Message;
        var prometheus = new ClusterObjectRef(MonitoringKinds.Prometheus.ApiVersion, MonitoringKinds.Prometheus.Kind, command.Namespace, command.Name ?? string.Empty);
        var reason = command.Namespace is null || command.Name is null
            ? "the command names no stack"
            : TenantInvariants.CheckTenantId(command.TenantId) ?? TenantInvariants.CheckNamespace(command.TenantId, command.Namespace);
        if (reason is not null)
        {
            var refusal = TenantInvariants.Refusal(prometheus, reason);
            outbox.Publish(new ObservabilityStackStepFailed(command.CorrelationId, command.TenantId ?? string.Empty, command.Namespace ?? string.Empty, command.Name ?? string.Empty, "delete", prometheus, refusal.StatusCode, refusal.Reason, []), null, command.CorrelationId);
            return;
        }

        var deleted = new List<ClusterObjectRef>();
        try
        {
            foreach (var reference in await StackObjects.List(target, command.TenantId, command.Namespace!, command.Name!, context.CancellationToken))
            {
                var outcome = await target.DeleteAsync(reference, command.TenantId, context.CancellationToken);
                logger.LogInformation("{ClusterObject} of observability stack: {Outcome}", reference, outcome);
                if (outcome == DeleteOutcome.Deleted)
                {
                    deleted.Add(reference);
                }
            }
        }
        catch (ClusterRequestFailedException failure)
        {
            outbox.Publish(new ObservabilityStackStepFailed(command.CorrelationId, command.TenantId, command.Namespace!, command.Name!, "delete", failure.Target, failure.StatusCode, failure.Reason, []), command.TenantId, command.CorrelationId);
            return;
        }

        outbox.Publish(new ObservabilityStackObjectsDeleted(command.CorrelationId, command.TenantId, command.Namespace!, command.Name!, deleted), command.TenantId, command.CorrelationId);
    }
}

/// <summary>The objects in a namespace that carry the platform's labels for the tenant and the stack's label.</summary>
internal static class StackObjects
{
    public static async Task<IReadOnlyList<ClusterObjectRef>> List(IClusterTarget target, string tenantId, string ns, string name, CancellationToken cancellationToken)
    {
        var labels = new Dictionary<string, string>(PlatformLabels.ForTenant(tenantId)) { [ObservabilityStackObjects.StackLabel] = name };
        var found = new List<ClusterObjectRef>();
        foreach (var kind in MonitoringKinds.StackKinds)
        {
            found.AddRange((await target.ListAsync(kind, ns, labels, cancellationToken)).Select(o => o.Reference()));
        }

        return found;
    }
}
