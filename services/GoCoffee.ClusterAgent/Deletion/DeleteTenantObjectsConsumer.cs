using GoCoffee.ClusterAgent.Targets;
using GoCoffee.ClusterAgent.Tenants;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Cluster;
using GoCoffee.ServiceDefaults.Messaging;
using MassTransit;

namespace GoCoffee.ClusterAgent.Deletion;

/// <summary>
/// Removes exactly the listed objects, each only while it still carries the platform's labels for the tenant (what
/// lost them since the plan was made is skipped). An object already gone counts as deleted, so a redelivered command
/// gives the same answer.
/// </summary>
public sealed class DeleteTenantObjectsConsumer(IClusterTarget target, IOutbox outbox, ILogger<DeleteTenantObjectsConsumer> logger)
    : IConsumer<DeleteTenantObjects>
{
    public const string Step = "delete";

    public async Task Consume(ConsumeContext<DeleteTenantObjects> context)
    {
        var command = context.Message;
        if (TenantInvariants.Check(command.TenantId, command.Objects) is { } refused)
        {
            var refusal = TenantInvariants.Refusal(refused.Target, refused.Reason);
            logger.LogWarning("Refused to delete objects of tenant {TenantId}: {ClusterObject} {Reason}", command.TenantId, refused.Target, refusal.Reason);
            outbox.Publish(
                new TenantClusterStepFailed(command.CorrelationId, command.TenantId ?? string.Empty, Step, refused.Target, refusal.StatusCode, refusal.Reason, []),
                string.IsNullOrEmpty(command.TenantId) ? null : command.TenantId,
                command.CorrelationId);
            return;
        }

        var deleted = new List<ClusterObjectRef>();
        var skipped = new List<ClusterObjectRef>();
        try
        {
            foreach (var reference in DeletionOrder.Sort(command.Objects))
            {
                var outcome = await target.DeleteAsync(reference, command.TenantId, context.CancellationToken);
                (outcome == DeleteOutcome.NotManaged ? skipped : deleted).Add(reference);
            }
        }
        catch (ClusterRequestFailedException failure)
        {
            logger.LogWarning("Deleting objects of tenant {TenantId} failed at {ClusterObject}: {StatusCode} {Reason}", command.TenantId, failure.Target, failure.StatusCode, failure.Reason);
            outbox.Publish(
                new TenantClusterStepFailed(command.CorrelationId, command.TenantId, Step, failure.Target, failure.StatusCode, failure.Reason, deleted),
                command.TenantId,
                command.CorrelationId);
            return;
        }

        if (skipped.Count > 0)
        {
            logger.LogWarning("Tenant {TenantId}: {SkippedCount} objects no longer carry the platform's labels and were left alone: {Skipped}", command.TenantId, skipped.Count, skipped);
        }

        outbox.Publish(new TenantObjectsDeleted(command.CorrelationId, command.TenantId, deleted, skipped), command.TenantId, command.CorrelationId);
    }
}
