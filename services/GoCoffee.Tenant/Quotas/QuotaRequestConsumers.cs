using GoCoffee.Contracts.Quotas;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;
using MassTransit;

namespace GoCoffee.Tenant.Quotas;

/// <summary>
/// The ledger's bus door (the HTTP one is <see cref="QuotaApi"/>, for operators): reserves GPUs for another service
/// and answers on the outbox, in the same transaction as the ledger's change. The ledger is stored with optimistic
/// concurrency: two requests racing for the last GPU cannot both win (the loser is retried and then refused).
/// </summary>
public sealed class ReserveTenantQuotaConsumer(IDocumentSession session, IOutbox outbox, TimeProvider clock) : IConsumer<ReserveTenantQuota>
{
    public async Task Consume(ConsumeContext<ReserveTenantQuota> context)
    {
        var request = context.Message;
        var now = clock.GetUtcNow();
        var ledger = await session.LoadAsync<TenantLedger>(request.TenantId, context.CancellationToken);
        if (ledger is null)
        {
            outbox.Publish(new TenantQuotaRefused(request.CorrelationId, request.TenantId, request.ReservationId, "tenantId", $"tenant '{request.TenantId}' does not exist", 0, now), request.TenantId);
            return;
        }

        if (request.Gpus is < 0 or > 64 || string.IsNullOrWhiteSpace(request.ReservationId) || request.ReservationId.Length > 200)
        {
            outbox.Publish(new TenantQuotaRefused(request.CorrelationId, request.TenantId, request.ReservationId, "gpu", "a reservation names an id (at most 200 characters) and 0 to 64 GPUs", ledger.Available.Gpus, now), request.TenantId);
            return;
        }

        var refused = ledger.Reserve(request.ReservationId, request.Holder, ResourceAmounts.Zero with { Gpus = request.Gpus }, request.GpuType, now);
        if (refused.Count > 0)
        {
            var (field, reasons) = refused.First();
            outbox.Publish(new TenantQuotaRefused(request.CorrelationId, request.TenantId, request.ReservationId, field, string.Join("; ", reasons), Math.Max(0, ledger.Available.Gpus), now), request.TenantId);
            return;
        }

        session.Store(ledger);
        outbox.Publish(new TenantQuotaReserved(request.CorrelationId, request.TenantId, request.ReservationId, request.Gpus, ledger.Available.Gpus, now), request.TenantId);
    }
}

/// <summary>Gives a reservation back; releasing one that is not held answers <c>WasHeld: false</c> and changes nothing.</summary>
public sealed class ReleaseTenantQuotaConsumer(IDocumentSession session, IOutbox outbox, TimeProvider clock) : IConsumer<ReleaseTenantQuota>
{
    public async Task Consume(ConsumeContext<ReleaseTenantQuota> context)
    {
        var request = context.Message;
        var ledger = await session.LoadAsync<TenantLedger>(request.TenantId, context.CancellationToken);
        var held = ledger?.Release(request.ReservationId) ?? false;
        if (held)
        {
            session.Store(ledger!);
        }

        outbox.Publish(new TenantQuotaReleased(request.CorrelationId, request.TenantId, request.ReservationId, held, Math.Max(0, ledger?.Available.Gpus ?? 0), clock.GetUtcNow()), request.TenantId);
    }
}
