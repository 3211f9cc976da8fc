namespace GoCoffee.Contracts.Tenants;

// A tenant's deletion removes its AI workloads first, before its namespaces: the tenant's lifecycle saga asks the
// ai-workload service and waits (with a durable step timeout) for its answer.

/// <summary>Delete every AI workload of the tenant (their objects, their GPU reservations) and accept no new ones; answer <see cref="Ai.TenantAiWorkloadsRemoved"/> once none is left.</summary>
public sealed record RemoveTenantAiWorkloads(Guid CorrelationId, string TenantId, DateTimeOffset At);
