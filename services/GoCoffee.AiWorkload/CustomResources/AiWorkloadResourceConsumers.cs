using GoCoffee.AiWorkload.Workloads;
using GoCoffee.Contracts.Ai;
using GoCoffee.Contracts.Cluster;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;
using MassTransit;
using Microsoft.Extensions.Options;

namespace GoCoffee.AiWorkload.CustomResources;

/// <summary>
/// An AIWorkload applied as a custom resource in one of the tenant's namespaces (the cluster-agent names the tenant from
/// the namespace) goes through exactly what the API does (<see cref="WorkloadDecisions.Apply"/>: the same rules, the
/// same deployment saga). A refused document is reported on the object's status, naming each field and rule, and
/// nothing is reserved or created; a running workload it would have changed keeps running.
/// </summary>
public sealed class AiWorkloadResourceAppliedConsumer(
    IDocumentSession session,
    IOutbox outbox,
    IOptions<AiWorkloadOptions> options,
    TimeProvider clock,
    ILogger<AiWorkloadResourceAppliedConsumer> logger) : IConsumer<AiWorkloadResourceApplied>
{
    public async Task Consume(ConsumeContext<AiWorkloadResourceApplied> context)
    {
        var message = context.Message;
        var resource = message.Resource;
        var ns = resource.Metadata?.Namespace ?? string.Empty;
        var name = resource.Metadata?.Name ?? string.Empty;
        var now = clock.GetUtcNow();
        session.LastModifiedBy = $"kubernetes:aiworkload/{ns}/{name}";

        // The API's own door takes no status from the client either.
        resource.Status = null;
        var outcome = await WorkloadDecisions.Apply(session, outbox, options.Value, message.TenantId, resource, Workloads.AiWorkload.ClusterSource, now, context.CancellationToken);
        if (outcome.Errors.Count > 0)
        {
            var existing = await session.LoadAsync<Workloads.AiWorkload>(Workloads.AiWorkload.IdOf(message.TenantId, ns, name), context.CancellationToken);
            var text = string.Join("; ", outcome.Errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}")));
            logger.LogInformation("AIWorkload {Namespace}/{Name} of tenant {TenantId} refused: {Errors}", ns, name, message.TenantId, text);
            outbox.ReportRefusal(message.TenantId, ns, name, existing, "Invalid", text, now);
            return;
        }

        if (!outcome.Changed)
        {
            // The same spec again (a relist, an object re-created): its status is the workload's.
            outbox.Report(outcome.Workload!, now);
        }
    }
}

/// <summary>An AIWorkload custom resource was deleted: its workload is deleted as through the API (its objects, its reservation).</summary>
public sealed class AiWorkloadResourceDeletedConsumer(IDocumentSession session, IOutbox outbox, ILogger<AiWorkloadResourceDeletedConsumer> logger) : IConsumer<AiWorkloadResourceDeleted>
{
    public async Task Consume(ConsumeContext<AiWorkloadResourceDeleted> context)
    {
        var message = context.Message;
        var id = Workloads.AiWorkload.IdOf(message.TenantId, message.Namespace, message.Name);
        var workload = await session.LoadAsync<Workloads.AiWorkload>(id, context.CancellationToken);
        if (workload is not { Source: Workloads.AiWorkload.ClusterSource })
        {
            logger.LogInformation("AIWorkload {Namespace}/{Name} of tenant {TenantId} was deleted; no workload came from it", message.Namespace, message.Name, message.TenantId);
            return;
        }

        outbox.Publish(new AiWorkloadDeletionRequested(AiWorkloadCorrelation.For(id), id, message.At), message.TenantId);
    }
}
