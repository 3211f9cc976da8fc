using GoCoffee.ClusterAgent.Objects;

namespace GoCoffee.ClusterAgent.Targets;

/// <summary>A kind as the API server serves it: the URL segment (plural) and whether objects live in a namespace.</summary>
public sealed record ApiResource(ObjectKind Kind, string Plural, bool Namespaced);

/// <summary>
/// The kinds the platform creates, with their plurals. These are also the kinds searched when listing what the
/// platform manages for a tenant: a cluster-wide list per kind, filtered by the platform's labels on the server.
/// A kind missing here still applies and deletes (its plural is derived from the kind, as the API server's own
/// conventions do); add it here to have it found when a tenant is deleted.
/// </summary>
public static class KnownResources
{
    public static readonly IReadOnlyList<ApiResource> All =
    [
        new(ObjectKind.Namespace, "namespaces", Namespaced: false),
        new(ObjectKind.ResourceQuota, "resourcequotas", Namespaced: true),
        new(ObjectKind.LimitRange, "limitranges", Namespaced: true),
        new(new ObjectKind("v1", "Service"), "services", Namespaced: true),
        new(new ObjectKind("v1", "ConfigMap"), "configmaps", Namespaced: true),
        new(new ObjectKind("v1", "Secret"), "secrets", Namespaced: true),
        new(new ObjectKind("v1", "ServiceAccount"), "serviceaccounts", Namespaced: true),
        new(new ObjectKind("v1", "PersistentVolumeClaim"), "persistentvolumeclaims", Namespaced: true),
        new(ObjectKind.NetworkPolicy, "networkpolicies", Namespaced: true),
        new(ObjectKind.Role, "roles", Namespaced: true),
        new(ObjectKind.RoleBinding, "rolebindings", Namespaced: true),
        new(ObjectKind.Deployment, "deployments", Namespaced: true),
        new(ObjectKind.StatefulSet, "statefulsets", Namespaced: true),
        new(new ObjectKind("autoscaling/v2", "HorizontalPodAutoscaler"), "horizontalpodautoscalers", Namespaced: true),
        new(new ObjectKind("policy/v1", "PodDisruptionBudget"), "poddisruptionbudgets", Namespaced: true),
        new(new ObjectKind("batch/v1", "Job"), "jobs", Namespaced: true),
        new(new ObjectKind("batch/v1", "CronJob"), "cronjobs", Namespaced: true),
        new(new ObjectKind("monitoring.coreos.com/v1", "ServiceMonitor"), "servicemonitors", Namespaced: true),
        new(new ObjectKind("monitoring.coreos.com/v1", "PrometheusRule"), "prometheusrules", Namespaced: true),
        new(new ObjectKind("monitoring.coreos.com/v1", "Prometheus"), "prometheuses", Namespaced: true),
        new(new ObjectKind("monitoring.coreos.com/v1", "Alertmanager"), "alertmanagers", Namespaced: true),
        new(new ObjectKind("monitoring.coreos.com/v1alpha1", "AlertmanagerConfig"), "alertmanagerconfigs", Namespaced: true),
    ];

    private static readonly Dictionary<ObjectKind, ApiResource> ByKind = All.ToDictionary(resource => resource.Kind);

    /// <param name="namespaced">For a kind not listed: whether the object at hand has a namespace.</param>
    public static ApiResource For(ObjectKind kind, bool namespaced) =>
        ByKind.TryGetValue(kind, out var known) ? known : new ApiResource(kind, Plural(kind.Kind), namespaced);

    /// <summary>The API server's default plural for a kind (what a CRD gets unless it names another).</summary>
    private static string Plural(string kind)
    {
        var lower = kind.ToLowerInvariant();
        if (lower.EndsWith('s') || lower.EndsWith('x') || lower.EndsWith("ch", StringComparison.Ordinal) || lower.EndsWith("sh", StringComparison.Ordinal))
        {
            return lower + "es";
        }

        return lower.EndsWith('y') && lower.Length > 1 && !"aeiou".Contains(lower[^2]) ? lower[..^1] + "ies" : lower + "s";
    }
}
