using GoCoffee.ClusterAgent.Objects;
using GoCoffee.ClusterAgent.Targets;
using GoCoffee.ClusterAgent.Tenants;
using GoCoffee.Contracts.Cluster;
using GoCoffee.ServiceDefaults.Messaging;
using MassTransit;

namespace GoCoffee.ClusterAgent.Deletion;

/// <summary>Lists what deleting the tenant would remove: only what carries the platform's labels for it, in deletion order.</summary>
public sealed class PlanTenantDeletionConsumer(IClusterTarget target, IOutbox outbox, ILogger<PlanTenantDeletionConsumer> logger)
    : IConsumer<PlanTenantDeletion>
{
    public const string Step = "plan-deletion";

    public async Task Consume(ConsumeContext<PlanTenantDeletion> context)
    {
        var command = context.Message;
        if (TenantInvariants.Check(command.TenantId, objects: []) is { } refused)
        {
            var refusal = TenantInvariants.Refusal(refused.Target, refused.Reason);
            logger.LogWarning("Refused to plan the deletion of tenant {TenantId}: {Reason}", command.TenantId, refusal.Reason);
            outbox.Publish(
                new TenantClusterStepFailed(command.CorrelationId, command.TenantId ?? string.Empty, Step, refused.Target, refusal.StatusCode, refusal.Reason, []),
                string.IsNullOrEmpty(command.TenantId) ? null : command.TenantId,
                command.CorrelationId);
            return;
        }

        try
        {
            var managed = await target.ListManagedAsync(command.TenantId, context.CancellationToken);
            var objects = DeletionOrder.Sort(managed.Select(Manifest.Reference));
            logger.LogInformation("Deleting tenant {TenantId} would remove {ObjectCount} objects", command.TenantId, objects.Count);
            outbox.Publish(new TenantDeletionPlanned(command.CorrelationId, command.TenantId, objects), command.TenantId, command.CorrelationId);
        }
        catch (ClusterRequestFailedException failure)
        {
            outbox.Publish(
                new TenantClusterStepFailed(command.CorrelationId, command.TenantId, Step, failure.Target, failure.StatusCode, failure.Reason, []),
                command.TenantId,
                command.CorrelationId);
        }
    }
}
