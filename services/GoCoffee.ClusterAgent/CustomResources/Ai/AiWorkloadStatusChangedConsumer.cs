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
    public Task Consume(ConsumeContext<AiWorkloadStatusChanged> context)
    {
        var m = context.Message;
        return TenantNamespacedStatus.WriteAsync(session, writer, AiWorkloadResourceReconciler.Resource, m.TenantId, m.Namespace, m.Name, m.Status, m.At, logger, context.CancellationToken);
    }
}

/// <summary>One status at a time: in order, and no two writes racing over the watermark.</summary>
public sealed class AiWorkloadStatusChangedConsumerDefinition : ConsumerDefinition<AiWorkloadStatusChangedConsumer>
{
    public AiWorkloadStatusChangedConsumerDefinition() => ConcurrentMessageLimit = 1;
}

/// <summary>Writes the ai-workload service's answer to a ModelRegistry object (its counts and whether it was taken) to its <c>.status</c>.</summary>
public sealed class ModelRegistryStatusChangedConsumer(
    IDocumentSession session,
    CustomObjectStatusWriter writer,
    ILogger<ModelRegistryStatusChangedConsumer> logger) : IConsumer<ModelRegistryStatusChanged>
{
    public Task Consume(ConsumeContext<ModelRegistryStatusChanged> context)
    {
        var m = context.Message;
        return TenantNamespacedStatus.WriteAsync(session, writer, ModelRegistryResourceReconciler.Resource, m.TenantId, m.Namespace, m.Name, m.Status, m.At, logger, context.CancellationToken);
    }
}

/// <summary>One status at a time: in order, and no two writes racing over the watermark.</summary>
public sealed class ModelRegistryStatusChangedConsumerDefinition : ConsumerDefinition<ModelRegistryStatusChangedConsumer>
{
    public ModelRegistryStatusChangedConsumerDefinition() => ConcurrentMessageLimit = 1;
}
