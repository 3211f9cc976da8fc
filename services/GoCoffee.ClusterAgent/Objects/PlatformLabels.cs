namespace GoCoffee.ClusterAgent.Objects;

/// <summary>
/// The labels that make an object the platform's. The cluster-agent changes or removes nothing that lacks them, so a
/// tenant's own objects and everything else in the cluster are safe from it.
/// </summary>
public static class PlatformLabels
{
    public const string ManagedBy = "app.kubernetes.io/managed-by";

    public const string ManagedByPlatform = "gocoffee";

    public const string Tenant = "gocoffee.dev/tenant";

    public const string Tier = "gocoffee.dev/tier";

    /// <summary>
    /// Annotation naming the bus message (its message id) whose command last applied the object. A command delivered
    /// again (a redelivery after a crash between the apply and the acknowledgement, or a relay publishing it twice)
    /// finds its own id on the object and skips the apply, so every step of one command reaches the server once.
    /// </summary>
    public const string AppliedByCommand = "gocoffee.dev/applied-by-command";

    /// <summary>The server-side apply field manager: the fields the platform owns in every object it applies.</summary>
    public const string FieldManager = "gocoffee-cluster-agent";

    public static Dictionary<string, string> ForTenant(string tenantId, string? tier = null)
    {
        var labels = new Dictionary<string, string> { [ManagedBy] = ManagedByPlatform, [Tenant] = tenantId };
        if (!string.IsNullOrEmpty(tier))
        {
            labels[Tier] = tier;
        }

        return labels;
    }

    /// <summary>A Kubernetes label selector for everything the platform manages for a tenant.</summary>
    public static string SelectorFor(string tenantId) => $"{ManagedBy}={ManagedByPlatform},{Tenant}={tenantId}";
}
