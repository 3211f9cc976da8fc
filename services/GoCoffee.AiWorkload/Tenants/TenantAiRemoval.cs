using GoCoffee.AiWorkload.Workloads;
using GoCoffee.Contracts.Ai;
using GoCoffee.Contracts.Tenants;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;
using MassTransit;
using Microsoft.Extensions.Options;

namespace GoCoffee.AiWorkload.Tenants;

/// <summary>A deleted tenant's workloads being removed, before its namespaces go: who asked, and the current check.</summary>
public sealed class TenantAiRemoval
{
    /// <summary>The tenant.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>The tenant's lifecycle saga, which waits for the answer.</summary>
    public Guid CorrelationId { get; set; }

    public int Removed { get; set; }

    /// <summary>The scheduled check that counts (an older one arriving late is ignored).</summary>
    public Guid CheckToken { get; set; }

    public DateTimeOffset RequestedAt { get; set; }
}

/// <summary>
/// The tenant's deletion asks for its AI workloads to go first (<see cref="RemoveTenantAiWorkloads"/>): the tenant is
/// closed to new workloads, every workload's deployment saga deletes its objects and releases its GPUs, and a durable
/// check (a scheduled <see cref="TenantAiRemovalCheck"/>, kept in PostgreSQL like every timeout, so a restart resumes
/// it) answers <see cref="TenantAiWorkloadsRemoved"/> once none is left. The same request again (a redelivery, or the
/// saga asking after a restart) starts the same removal over: deletions already under way are not asked twice.
/// </summary>
public sealed class RemoveTenantAiWorkloadsConsumer(IDocumentSession session, IOutbox outbox, IOptions<AiWorkloadOptions> options, TimeProvider clock, ILogger<RemoveTenantAiWorkloadsConsumer> logger)
    : IConsumer<RemoveTenantAiWorkloads>, IConsumer<TenantAiRemovalCheck>
{
    public async Task Consume(ConsumeContext<RemoveTenantAiWorkloads> context)
    {
        var message = context.Message;
        var now = clock.GetUtcNow();
        var tenant = await session.LoadAsync<TenantAi>(message.TenantId, context.CancellationToken) ?? new TenantAi { Id = message.TenantId };
        tenant.Closing = true;
        tenant.AiEnabled = false;
        tenant.UpdatedAt = now;
        session.Store(tenant);

        var workloads = await session.Query<Workloads.AiWorkload>().Where(w => w.TenantId == message.TenantId).ToListAsync(context.CancellationToken);
        foreach (var workload in workloads.Where(w => w.Status.Phase != AiWorkloadPhase.Terminating))
        {
            outbox.Publish(new AiWorkloadDeletionRequested(AiWorkloadCorrelation.For(workload.Id), workload.Id, now), message.TenantId);
        }

        if (workloads.Count == 0)
        {
            outbox.Publish(new TenantAiWorkloadsRemoved(message.CorrelationId, message.TenantId, 0, now), message.TenantId, message.CorrelationId);
            return;
        }

        var removal = new TenantAiRemoval { Id = message.TenantId, CorrelationId = message.CorrelationId, Removed = workloads.Count, RequestedAt = now };
        ScheduleCheck(removal, now);
        logger.LogInformation("Tenant {TenantId} is being deleted: removing its {Count} AI workloads first", message.TenantId, workloads.Count);
    }

    public async Task Consume(ConsumeContext<TenantAiRemovalCheck> context)
    {
        var message = context.Message;
        var removal = await session.LoadAsync<TenantAiRemoval>(message.TenantId, context.CancellationToken);
        if (removal is null || removal.CheckToken != message.Token)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var left = await session.Query<Workloads.AiWorkload>().CountAsync(w => w.TenantId == message.TenantId, context.CancellationToken);
        if (left > 0)
        {
            ScheduleCheck(removal, now);
            return;
        }

        session.Delete(removal);
        outbox.Publish(new TenantAiWorkloadsRemoved(removal.CorrelationId, removal.Id, removal.Removed, now), removal.Id, removal.CorrelationId);
        logger.LogInformation("Tenant {TenantId}'s {Count} AI workloads are removed", removal.Id, removal.Removed);
    }

    private void ScheduleCheck(TenantAiRemoval removal, DateTimeOffset now)
    {
        removal.CheckToken = Guid.CreateVersion7();
        session.Store(removal);
        outbox.Schedule(removal.CheckToken, new TenantAiRemovalCheck(removal.CorrelationId, removal.Id, removal.CheckToken), now + options.Value.RemovalCheckInterval, removal.Id, removal.CorrelationId);
    }
}
