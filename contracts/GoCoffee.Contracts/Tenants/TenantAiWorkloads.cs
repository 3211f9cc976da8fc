namespace GoCoffee.Contracts.Tenants;

// A tenant's deletion removes its AI workloads first, before its namespaces: the tenant's lifecycle saga asks the
// ai-workload service and waits (with a durable step timeout) for its answer.

/// <summary>Delete every AI workload of the tenant (their objects, their GPU reservations) and accept no new ones; answer <see cref="TenantAiWorkloadsRemoved"/> once none is left.</summary>
public sealed record RemoveTenantAiWorkloads(Guid CorrelationId, string TenantId, DateTimeOffset At);

/// <summary>The tenant has no AI workload left (<paramref name="Removed"/> were deleted for this request).</summary>
public sealed record TenantAiWorkloadsRemoved(Guid CorrelationId, string TenantId, int Removed, DateTimeOffset At);
