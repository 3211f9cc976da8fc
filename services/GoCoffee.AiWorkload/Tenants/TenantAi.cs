using GoCoffee.Contracts.Tenants;
using Marten;
using MassTransit;

namespace GoCoffee.AiWorkload.Tenants;

/// <summary>
/// The ai-workload service's picture of one tenant, kept from the tenant service's <see cref="TenantServicesChanged"/>
/// and <see cref="TenantDeleted"/>: whether it runs AI workloads, which models, its GPU quota and GPU types. Applied
/// only when newer (by the tenant's stream version) than what is held: late or repeated messages change nothing.
/// </summary>
public sealed class TenantAi
{
    public string Id { get; set; } = string.Empty;

    public long Version { get; set; }

    public string Tier { get; set; } = string.Empty;

    public bool AiEnabled { get; set; }

    public List<string> Models { get; set; } = [];

    public int GpuQuota { get; set; }

    public List<string> GpuTypes { get; set; } = [];

    public bool Deleted { get; set; }

    /// <summary>The tenant is being deleted: its workloads are being removed and no new one is accepted.</summary>
    public bool Closing { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class TenantServicesChangedConsumer(IDocumentSession session, GoCoffee.ServiceDefaults.Messaging.IOutbox outbox, Microsoft.Extensions.Options.IOptions<AiWorkloadOptions> options, TimeProvider clock) : IConsumer<TenantServicesChanged>
{
    public async Task Consume(ConsumeContext<TenantServicesChanged> context)
    {
        var message = context.Message;
        var tenant = await session.LoadAsync<TenantAi>(message.TenantId, context.CancellationToken) ?? new TenantAi { Id = message.TenantId };
        if (tenant.Version >= message.Version || tenant.Deleted)
        {
            return;
        }

        tenant.Version = message.Version;
        tenant.Tier = message.Tier;
        tenant.AiEnabled = message.Ai.Enabled && !tenant.Closing;
        tenant.Models = [.. message.Ai.Models];
        tenant.GpuQuota = message.Ai.GpuQuota;
        tenant.GpuTypes = [.. message.Ai.GpuTypes];
        tenant.UpdatedAt = message.At;
        session.Store(tenant);
        await TenantAiPolicy.Enforce(session, outbox, options.Value, tenant, clock.GetUtcNow(), context.CancellationToken);
    }
}

/// <summary>A deleted tenant's workloads are deleted too (their objects, their sagas, their reservations).</summary>
public sealed class TenantDeletedConsumer(IDocumentSession session, GoCoffee.ServiceDefaults.Messaging.IOutbox outbox) : IConsumer<TenantDeleted>
{
    public async Task Consume(ConsumeContext<TenantDeleted> context)
    {
        var message = context.Message;
        var tenant = await session.LoadAsync<TenantAi>(message.TenantId, context.CancellationToken) ?? new TenantAi { Id = message.TenantId };
        if (tenant.Deleted)
        {
            return;
        }

        tenant.Deleted = true;
        tenant.AiEnabled = false;
        tenant.Version = Math.Max(tenant.Version, message.Version);
        tenant.UpdatedAt = message.At;
        session.Store(tenant);
        var workloads = await session.Query<Workloads.AiWorkload>().Where(w => w.TenantId == message.TenantId).ToListAsync(context.CancellationToken);
        foreach (var workload in workloads)
        {
            outbox.Publish(new GoCoffee.Contracts.Ai.AiWorkloadDeletionRequested(GoCoffee.Contracts.Ai.AiWorkloadCorrelation.For(workload.Id), workload.Id, message.At), message.TenantId);
        }
    }
}
