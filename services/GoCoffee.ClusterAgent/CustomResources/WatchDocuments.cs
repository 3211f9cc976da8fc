using Marten;

namespace GoCoffee.ClusterAgent.CustomResources;

/// <summary>
/// Where a watch of one kind stands: the last resourceVersion whose events are handled (committed together with
/// whatever they caused). A restart resumes from here; a 410 Gone relists and starts again from the list.
/// </summary>
public sealed class WatchCursor
{
    /// <summary><see cref="WatchedResource.Key"/>.</summary>
    public string Id { get; set; } = string.Empty;

    public string ResourceVersion { get; set; } = string.Empty;

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// The generation of one custom object last handed to the platform. An event with the same uid and generation
/// (a status or metadata change, a replay, a relist) is not handed on again.
/// </summary>
public sealed class ForwardedResource
{
    /// <summary><see cref="WatchedResource.ObjectKey(string?, string)"/>.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary><see cref="WatchedResource.Key"/>, to find the objects of one kind on a relist.</summary>
    public string Resource { get; set; } = string.Empty;

    public string? Namespace { get; set; }

    public string Name { get; set; } = string.Empty;

    public string? Uid { get; set; }

    public long Generation { get; set; }

    public DateTimeOffset ForwardedAt { get; set; }
}

/// <summary>The time of the newest status written to one custom object: an older status arriving late is not written over it.</summary>
public sealed class StatusWatermark
{
    /// <summary><see cref="WatchedResource.ObjectKey(string?, string)"/>.</summary>
    public string Id { get; set; } = string.Empty;

    public DateTimeOffset At { get; set; }
}

internal static class WatchDocuments
{
    public static void Register(StoreOptions options)
    {
        options.Schema.For<WatchCursor>();
        options.Schema.For<ForwardedResource>().Index(x => x.Resource);
        options.Schema.For<StatusWatermark>();
        options.Schema.For<BridgedObjectTenant>();
    }
}
