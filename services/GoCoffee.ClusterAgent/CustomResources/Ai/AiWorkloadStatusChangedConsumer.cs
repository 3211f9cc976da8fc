using GoCoffee.ClusterAgent.CustomResources.Tenants;
using GoCoffee.Contracts.Cluster;
using Marten;
using MassTransit;

namespace GoCoffee.ClusterAgent.CustomResources.Ai;

/// <summary>
/// Writes the ai-workload service's view of a workload to its AIWorkload object's <c>.status</c>, as
/// <see cref="TenantStatusChangedConsumer"/> does for Tenants: <c>observedGeneration</c> is the object's generation
/// last handed on, an older status than the one written is dropped, and a status is written only to the object handed
/// on for that same tenant.
/// </summary>
public sealed class AiWorkloadStatusChangedConsumer(
    IDocumentSession session,
    CustomObjectStatusWriter writer,
    ILogger<AiWorkloadStatusChangedConsumer> logger) : IConsumer<AiWorkloadStatusChanged>
{
    public async Task Consume(ConsumeContext<AiWorkloadStatusChanged> context)
    {
        var message = context.Message;
        var cancellationToken = context.CancellationToken;
        var resource = AiWorkloadResourceReconciler.Resource;
        var key = resource.ObjectKey(message.Namespace, message.Name);

        var bridged = await session.LoadAsync<BridgedObjectTenant>(key, cancellationToken);
        if (bridged is null || bridged.TenantId != message.TenantId)
        {
            logger.LogInformation("AIWorkload {Namespace}/{Name} was not handed on for tenant {TenantId}; its status ({Phase}) is not written", message.Namespace, message.Name, message.TenantId, message.Status.Phase);
            return;
        }

        var watermark = await session.LoadAsync<StatusWatermark>(key, cancellationToken);
        if (watermark is not null && message.At < watermark.At)
        {
            logger.LogInformation("Status of AIWorkload {Namespace}/{Name} from {At} is older than the one written ({WrittenAt}); not written", message.Namespace, message.Name, message.At, watermark.At);
            return;
        }

        var current = await writer.GetAsync(resource, message.Namespace, message.Name, cancellationToken);
        if (current is null)
        {
            logger.LogInformation("AIWorkload {Namespace}/{Name} no longer exists in the cluster; its status ({Phase}) is not written", message.Namespace, message.Name, message.Status.Phase);
            return;
        }

        var forwarded = await session.LoadAsync<ForwardedResource>(key, cancellationToken);
        var generation = forwarded is not null && forwarded.Uid == current.Uid() ? forwarded.Generation : current.Generation();
        var outcome = await writer.WriteAsync(resource, current, CustomObjectJson.Status(message.Status, generation), cancellationToken);
        session.Store(new StatusWatermark { Id = key, At = message.At });
        logger.LogDebug("Status of AIWorkload {Namespace}/{Name} ({Phase}): {Outcome}", message.Namespace, message.Name, message.Status.Phase, outcome);
    }
}

/// <summary>One status at a time: in order, and no two writes racing over the watermark.</summary>
public sealed class AiWorkloadStatusChangedConsumerDefinition : ConsumerDefinition<AiWorkloadStatusChangedConsumer>
{
    public AiWorkloadStatusChangedConsumerDefinition() => ConcurrentMessageLimit = 1;
}
