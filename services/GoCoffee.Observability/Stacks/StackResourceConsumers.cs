using System.Text.Json;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Cluster;
using GoCoffee.Contracts.Observability;
using GoCoffee.Resources;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;
using MassTransit;

namespace GoCoffee.Observability.Stacks;

/// <summary>
/// An ObservabilityStack applied as a custom resource in one of the tenant's namespaces (the cluster-agent names the
/// tenant from the namespace) goes through exactly what the API does (<see cref="StackDecisions.Apply"/>: the same
/// rules, promtool, the same saga). A refused document is reported on the object's status, naming each field and rule,
/// and nothing is applied; a stack it would have changed keeps running.
/// </summary>
public sealed class StackResourceAppliedConsumer(IDocumentSession session, IOutbox outbox, StackDecisions decisions, TimeProvider clock, ILogger<StackResourceAppliedConsumer> logger) : IConsumer<ObservabilityStackResourceApplied>
{
    public async Task Consume(ConsumeContext<ObservabilityStackResourceApplied> context)
    {
        var message = context.Message;
        var resource = message.Resource;
        var ns = resource.Metadata?.Namespace ?? string.Empty;
        var name = resource.Metadata?.Name ?? string.Empty;
        var now = clock.GetUtcNow();
        session.LastModifiedBy = $"kubernetes:observabilitystack/{ns}/{name}";
        resource.Status = null;
        var outcome = await decisions.Apply(session, outbox, message.TenantId, resource, ObservabilityStack.ClusterSource, now, context.CancellationToken);
        if (outcome.Unavailable is not null || outcome.Errors.Count > 0)
        {
            var existing = await session.LoadAsync<ObservabilityStack>(ObservabilityStack.IdOf(message.TenantId, ns, name), context.CancellationToken);
            var (reason, text) = outcome.Unavailable is not null
                ? ("RuleCheckUnavailable", $"spec.monitoring.rules: {outcome.Unavailable}")
                : ("Invalid", string.Join("; ", outcome.Errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))));
            logger.LogInformation("ObservabilityStack {Namespace}/{Name} of tenant {TenantId} refused: {Errors}", ns, name, message.TenantId, text);
            outbox.ReportRefusal(message.TenantId, ns, name, existing, reason, text, now);
            return;
        }

        if (!outcome.Changed)
        {
            // The same spec again (a relist, an object re-created): its status is the stack's.
            outbox.Report(outcome.Stack!, now);
        }
    }
}

/// <summary>An ObservabilityStack custom resource was deleted: its stack is deleted as through the API (its objects).</summary>
public sealed class StackResourceDeletedConsumer(IDocumentSession session, IOutbox outbox, ILogger<StackResourceDeletedConsumer> logger) : IConsumer<ObservabilityStackResourceDeleted>
{
    public async Task Consume(ConsumeContext<ObservabilityStackResourceDeleted> context)
    {
        var message = context.Message;
        var id = ObservabilityStack.IdOf(message.TenantId, message.Namespace, message.Name);
        var stack = await session.LoadAsync<ObservabilityStack>(id, context.CancellationToken);
        if (stack is not { Source: ObservabilityStack.ClusterSource })
        {
            logger.LogInformation("ObservabilityStack {Namespace}/{Name} of tenant {TenantId} was deleted; no stack came from it", message.Namespace, message.Name, message.TenantId);
            return;
        }

        outbox.Publish(new ObservabilityStackDeletionRequested(ObservabilityStackCorrelation.For(id), id, message.At), message.TenantId);
    }
}

/// <summary>
/// A stack that came from an ObservabilityStack custom resource has every new status published
/// (<see cref="ObservabilityStackStatusChanged"/>, in the same transaction as the change), for the cluster-agent to write
/// to the object's status; one from the API has nothing published.
/// </summary>
internal static class StackStatusReports
{
    public static void Report(this IOutbox outbox, ObservabilityStack stack, DateTimeOffset now)
    {
        if (stack.Source != ObservabilityStack.ClusterSource)
        {
            return;
        }

        outbox.Publish(new ObservabilityStackStatusChanged(stack.TenantId, stack.Namespace, stack.Name, Copy(stack.Status), now), stack.TenantId);
    }

    /// <summary>A document the platform did not take: the stack's status (when one exists) with the refusal, or Failed.</summary>
    public static void ReportRefusal(this IOutbox outbox, string tenantId, string ns, string name, ObservabilityStack? existing, string reason, string message, DateTimeOffset now)
    {
        var status = existing is { Source: ObservabilityStack.ClusterSource } ? Copy(existing.Status) : new ObservabilityStackStatus { Phase = StackPhase.Failed };
        status.Conditions.RemoveAll(c => c.Type == "Synced");
        status.Conditions.Add(new ResourceCondition("Synced", "False", reason, message, now));
        if (existing is not { Source: ObservabilityStack.ClusterSource })
        {
            status.Conditions.RemoveAll(c => c.Type == "Ready");
            status.Conditions.Add(new ResourceCondition("Ready", "False", reason, "Nothing was applied for this document.", now));
        }

        outbox.Publish(new ObservabilityStackStatusChanged(tenantId, ns, name, status, now), tenantId);
    }

    private static ObservabilityStackStatus Copy(ObservabilityStackStatus status) =>
        JsonSerializer.Deserialize<ObservabilityStackStatus>(JsonSerializer.Serialize(status, ResourceDocument.Json), ResourceDocument.Json)!;
}
