namespace GoCoffee.FakeKubernetes;

/// <summary>How a write reaches the store, which decides who owns fields and what status rules apply.</summary>
internal enum WriteMode
{
    /// <summary>create, PUT, or a non-apply PATCH from a client: an Update-operation managedFields entry.</summary>
    Client,

    /// <summary>Server-side apply: managedFields were computed by <see cref="ServerSideApply"/>.</summary>
    Apply,

    /// <summary>The test itself (seed, mutate): no status-subresource rules, no field ownership.</summary>
    System,
}

internal sealed record WriteContext(string Manager, string? Subresource, WriteMode Mode, DateTimeOffset Now, bool DryRun = false)
{
    public string Time => ObjectMeta.Timestamp(Now);
}
