using GoCoffee.Contracts.Tenants;

namespace GoCoffee.ClusterAgent.Tenants;

/// <summary>
/// What may run in a tenant's namespaces: the Pod Security Admission level its isolation level chooses
/// (<c>soft</c> → <c>baseline</c>; <c>hard</c>, <c>strict</c> and anything else → <c>restricted</c>), enforced, with
/// warnings and audit entries always at <c>restricted</c> so a soft tenant sees what a harder level would refuse.
/// And where it may run: the plan's node selector as the namespace's PodNodeSelector annotation.
/// </summary>
public static class TenantPodSecurity
{
    public const string Enforce = "pod-security.kubernetes.io/enforce";
    public const string EnforceVersion = "pod-security.kubernetes.io/enforce-version";
    public const string Warn = "pod-security.kubernetes.io/warn";
    public const string WarnVersion = "pod-security.kubernetes.io/warn-version";
    public const string Audit = "pod-security.kubernetes.io/audit";
    public const string AuditVersion = "pod-security.kubernetes.io/audit-version";

    public const string Baseline = "baseline";
    public const string Restricted = "restricted";

    /// <summary>The policy of the cluster's own Kubernetes version: a cluster upgrade brings that version's checks.</summary>
    public const string Version = "latest";

    /// <summary>Read by the PodNodeSelector admission plugin: every pod created in the namespace gets these node labels as its node selector.</summary>
    public const string NodeSelectorAnnotation = "scheduler.alpha.kubernetes.io/node-selector";

    /// <summary>Unknown levels (an older or foreign plan) get the strictest policy, never a weaker one.</summary>
    public static string LevelFor(string? isolationLevel) => isolationLevel == IsolationLevels.Soft ? Baseline : Restricted;

    public static Dictionary<string, string> Labels(TenantPlan plan) => new()
    {
        [Enforce] = LevelFor(plan.IsolationLevel),
        [EnforceVersion] = Version,
        [Warn] = Restricted,
        [WarnVersion] = Version,
        [Audit] = Restricted,
        [AuditVersion] = Version,
    };

    /// <returns><c>key=value,key=value</c> in key order, or null when the plan places the tenant on any node.</returns>
    public static string? NodeSelector(TenantPlan plan) =>
        plan.NodeSelector is { Count: > 0 } selector
            ? string.Join(',', selector.OrderBy(label => label.Key, StringComparer.Ordinal).Select(label => $"{label.Key}={label.Value}"))
            : null;
}
