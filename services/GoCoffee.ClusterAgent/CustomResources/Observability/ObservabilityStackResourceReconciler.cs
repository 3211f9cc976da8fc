using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.CustomResources.Ai;
using GoCoffee.Contracts.Cluster;
using GoCoffee.Contracts.Observability;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;
using MassTransit;

namespace GoCoffee.ClusterAgent.CustomResources.Observability;

/// <summary>
/// <c>observability.gocoffee.dev/v1 ObservabilityStack</c>: each new generation, in a namespace the platform provisioned
/// for a tenant, goes to the observability service as <see cref="ObservabilityStackResourceApplied"/> for that tenant,
/// which validates it as its API does and runs the same stack saga. Its view comes back as
/// <see cref="ObservabilityStackStatusChanged"/>; a deleted object becomes <see cref="ObservabilityStackResourceDeleted"/>.
/// </summary>
public sealed class ObservabilityStackResourceReconciler(
    IDocumentSession session,
    IOutbox outbox,
    TenantNamespaceOwner owners,
    CustomObjectStatusWriter writer,
    TimeProvider clock,
    ILogger<ObservabilityStackResourceReconciler> logger) : TenantNamespacedReconciler(session, owners, writer, clock, logger), ICustomResourceReconciler
{
    public static WatchedResource Resource { get; } = new(ObservabilityStackResource.Group, ObservabilityStackResource.Version, ObservabilityStackResource.ResourceKind, ObservabilityStackResource.Plural);

    protected override WatchedResource Kind => Resource;

    protected override void HandOn(string tenantId, JsonObject resource) =>
        outbox.Publish(
            new ObservabilityStackResourceApplied(
                tenantId,
                CustomObjectJson.Read<ObservabilityStackResource>(
                    resource,
                    ["spec", "components", "prometheus"],
                    ["spec", "components", "prometheus", "resources", "requests"],
                    ["spec", "components", "prometheus", "resources", "limits"],
                    ["spec", "components", "elasticsearch"]),
                Clock.GetUtcNow()),
            tenantId);

    protected override void HandOnDeletion(BridgedObjectTenant bridged)
    {
        outbox.Publish(new ObservabilityStackResourceDeleted(bridged.TenantId, bridged.Namespace, bridged.Name, Clock.GetUtcNow()), bridged.TenantId);
        logger.LogInformation("ObservabilityStack {Namespace}/{Name} was deleted from the cluster; asked the observability service to delete it for tenant {TenantId}", bridged.Namespace, bridged.Name, bridged.TenantId);
    }
}

/// <summary>Writes the observability service's view of a stack to its ObservabilityStack object's <c>.status</c>, as for AIWorkloads.</summary>
public sealed class ObservabilityStackStatusChangedConsumer(
    IDocumentSession session,
    CustomObjectStatusWriter writer,
    ILogger<ObservabilityStackStatusChangedConsumer> logger) : IConsumer<ObservabilityStackStatusChanged>
{
    public Task Consume(ConsumeContext<ObservabilityStackStatusChanged> context)
    {
        var m = context.Message;
        return TenantNamespacedStatus.WriteAsync(session, writer, ObservabilityStackResourceReconciler.Resource, m.TenantId, m.Namespace, m.Name, m.Status, m.At, logger, context.CancellationToken);
    }
}

/// <summary>One status at a time: in order, and no two writes racing over the watermark.</summary>
public sealed class ObservabilityStackStatusChangedConsumerDefinition : ConsumerDefinition<ObservabilityStackStatusChangedConsumer>
{
    public ObservabilityStackStatusChangedConsumerDefinition() => ConcurrentMessageLimit = 1;
}
