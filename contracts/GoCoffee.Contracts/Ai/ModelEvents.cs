namespace GoCoffee.Contracts.Ai;

// Published by the ai-workload service (to itself, through its outbox): the registry changed in a way running
// workloads act on.

/// <summary>An alias now points at <paramref name="Version"/>: workloads deployed through the alias roll to it.</summary>
public sealed record ModelAliasMoved(string TenantId, string Model, string Alias, string Version, DateTimeOffset At);

/// <summary>A version was archived: running workloads keep it, with a condition saying so.</summary>
public sealed record ModelVersionArchived(string TenantId, string Model, string Version, DateTimeOffset At);
