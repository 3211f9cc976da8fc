using System.Text.Json.Nodes;
using GoCoffee.Contracts.Cluster;
using Marten;
using MassTransit;

namespace GoCoffee.ClusterAgent.CustomResources.Tenants;

/// <summary>
/// Writes the tenant service's view of a tenant to its custom object's <c>.status</c>, with <c>observedGeneration</c>
/// set to the object's generation last handed on. A status older than the one already written is dropped (messages
/// can arrive out of order after a redelivery); an object that no longer exists is logged and the message acknowledged.
/// </summary>
public sealed class TenantStatusChangedConsumer(
    IDocumentSession session,
    TenantStatusWriter writer,
    ILogger<TenantStatusChangedConsumer> logger) : IConsumer<TenantStatusChanged>
{
    public async Task Consume(ConsumeContext<TenantStatusChanged> context)
    {
        var message = context.Message;
        var cancellationToken = context.CancellationToken;
        var key = TenantResourceReconciler.Resource.ObjectKey(null, message.ResourceName);

        var watermark = await session.LoadAsync<StatusWatermark>(key, cancellationToken);
        if (watermark is not null && message.At < watermark.At)
        {
            logger.LogInformation("Status of Tenant {Name} from {At} is older than the one written ({WrittenAt}); not written", message.ResourceName, message.At, watermark.At);
            return;
        }

        var current = await writer.GetAsync(message.ResourceName, cancellationToken);
        if (current is null)
        {
            logger.LogInformation("Tenant {Name} no longer exists in the cluster; the status of tenant {TenantId} ({Phase}) is not written", message.ResourceName, message.TenantId, message.Status.Phase);
            return;
        }

        var tenantId = current["spec"]?["tenantId"] is JsonValue value && value.TryGetValue<string>(out var id) ? id : message.ResourceName;
        if (tenantId != message.TenantId)
        {
            logger.LogInformation("Tenant {Name} now names tenant {CurrentTenantId}; the status of tenant {TenantId} is not written", message.ResourceName, tenantId, message.TenantId);
            return;
        }

        var forwarded = await session.LoadAsync<ForwardedResource>(key, cancellationToken);
        var generation = forwarded is not null && forwarded.Uid == current.Uid() ? forwarded.Generation : current.Generation();
        var outcome = await writer.WriteAsync(current, TenantResourceJson.Status(message.Status, generation), cancellationToken);
        session.Store(new StatusWatermark { Id = key, At = message.At });
        logger.LogDebug("Status of Tenant {Name} ({Phase}): {Outcome}", message.ResourceName, message.Status.Phase, outcome);
    }
}

/// <summary>One status at a time: in order, and no two writes racing over the watermark.</summary>
public sealed class TenantStatusChangedConsumerDefinition : ConsumerDefinition<TenantStatusChangedConsumer>
{
    public TenantStatusChangedConsumerDefinition() => ConcurrentMessageLimit = 1;
}
