namespace GoCoffee.ClusterAgent.CustomResources;

/// <summary><c>ClusterAgent:CustomResources</c>: how the platform's custom resources are watched.</summary>
public sealed class CustomResourceOptions
{
    /// <summary>False leaves custom resources alone (the agent then only carries out commands).</summary>
    public bool Watch { get; set; } = true;

    /// <summary>
    /// A watch is ended and opened again (from the last resourceVersion) this often: the client's raw watches can die
    /// silently after 30–60 minutes, so none is trusted for long. Also sent to the server as <c>timeoutSeconds</c>.
    /// </summary>
    public TimeSpan WatchRestartInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The first wait after a failed list or watch (doubles up to <see cref="MaxRetryDelay"/>).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Objects per page when listing (a relist of a large cluster is paged).</summary>
    public int ListPageSize { get; set; } = 500;
}
