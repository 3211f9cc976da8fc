using GoCoffee.AiWorkload.CustomResources;
using GoCoffee.AiWorkload.Workloads;
using GoCoffee.Contracts.Ai;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;
using MassTransit;
using Microsoft.Extensions.Options;

namespace GoCoffee.AiWorkload.Models;

/// <summary>An alias moved: every workload of the tenant deployed through that alias rolls to the version it names now.</summary>
public sealed class ModelAliasMovedConsumer(IDocumentSession session, IOutbox outbox, IOptions<AiWorkloadOptions> options, TimeProvider clock) : IConsumer<ModelAliasMoved>
{
    public async Task Consume(ConsumeContext<ModelAliasMoved> context)
    {
        var moved = context.Message;
        var model = await session.LoadAsync<RegisteredModel>(RegisteredModel.IdOf(moved.TenantId, moved.Model), context.CancellationToken);
        if (model is null || !model.Aliases.TryGetValue(moved.Alias, out var current) || model.Find(current) is not { Archived: false } version)
        {
            return;
        }

        var workloads = await session.Query<Workloads.AiWorkload>().Where(w => w.TenantId == moved.TenantId).ToListAsync(context.CancellationToken);
        foreach (var workload in workloads.Where(w => w.Spec.Model?.Name == moved.Model && w.Spec.Model.Version == moved.Alias && w.ResolvedVersion != version.Version && w.Status.Phase != AiWorkloadPhase.Terminating))
        {
            var request = WorkloadDecisions.Replan(workload, version, options.Value, clock.GetUtcNow());
            session.Store(workload);
            outbox.Report(workload, clock.GetUtcNow());
            outbox.Publish(request, workload.TenantId);
        }
    }
}

/// <summary>A version was archived: running workloads keep it, with a condition saying it can no longer be newly deployed.</summary>
public sealed class ModelVersionArchivedConsumer(IDocumentSession session, IOutbox outbox, TimeProvider clock) : IConsumer<ModelVersionArchived>
{
    public async Task Consume(ConsumeContext<ModelVersionArchived> context)
    {
        var archived = context.Message;
        var workloads = await session.Query<Workloads.AiWorkload>().Where(w => w.TenantId == archived.TenantId).ToListAsync(context.CancellationToken);
        foreach (var workload in workloads.Where(w => w.Spec.Model?.Name == archived.Model && w.ResolvedVersion == archived.Version))
        {
            workload.SetCondition("ModelArchived", "True", "VersionArchived", $"{archived.Model} {archived.Version} was archived: it keeps running here but can no longer be newly deployed.", clock.GetUtcNow());
            session.Store(workload);
            outbox.Report(workload, clock.GetUtcNow());
        }
    }
}
