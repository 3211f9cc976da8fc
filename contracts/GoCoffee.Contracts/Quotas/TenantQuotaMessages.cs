namespace GoCoffee.Contracts.Quotas;

// The tenant's quota ledger over the bus. A service that runs things on a tenant's GPUs (the ai-workload service)
// reserves before it creates anything and releases when the thing is gone; the tenant service, which owns the
// ledger, answers. Every request names its reservation: asking twice for the same reservation (redelivery, a saga
// resuming after a crash) reserves once, releasing one that is not held changes nothing. CorrelationId is the
// requester's (its saga's id), so the answer finds it again.

/// <summary>Reserve <paramref name="Gpus"/> GPUs of <paramref name="GpuType"/> in the tenant's ledger.</summary>
public sealed record ReserveTenantQuota(Guid CorrelationId, string TenantId, string ReservationId, string Holder, int Gpus, string GpuType, DateTimeOffset At);

/// <summary>Give a reservation back (idempotent).</summary>
public sealed record ReleaseTenantQuota(Guid CorrelationId, string TenantId, string ReservationId, DateTimeOffset At);

/// <summary>The reservation is held. <paramref name="GpusAvailable"/>: what the tenant has left after it.</summary>
public sealed record TenantQuotaReserved(Guid CorrelationId, string TenantId, string ReservationId, int Gpus, int GpusAvailable, DateTimeOffset At);

/// <summary>
/// Nothing was reserved. <paramref name="Field"/> names what refused it (<c>gpu</c>: not enough left; <c>gpu.type</c>:
/// not one of the tenant's types; <c>tenantId</c>: no such tenant), <paramref name="Reason"/> says it in words.
/// </summary>
public sealed record TenantQuotaRefused(Guid CorrelationId, string TenantId, string ReservationId, string Field, string Reason, int GpusAvailable, DateTimeOffset At);

/// <summary>The reservation is no longer held (<paramref name="WasHeld"/>: false when there was nothing to release).</summary>
public sealed record TenantQuotaReleased(Guid CorrelationId, string TenantId, string ReservationId, bool WasHeld, int GpusAvailable, DateTimeOffset At);
