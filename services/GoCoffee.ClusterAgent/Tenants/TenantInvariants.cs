using System.Text.RegularExpressions;
using GoCoffee.ClusterAgent.Objects;
using GoCoffee.ClusterAgent.Targets;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Tenants;

namespace GoCoffee.ClusterAgent.Tenants;

/// <summary>
/// What the cluster-agent checks in every command before it touches anything, whoever sent it (defence in depth behind
/// the broker's sender check): a tenant id that is a DNS label and no platform or system name; namespaces named
/// <c>&lt;tenantId&gt;-&lt;n&gt;</c>, never a system namespace; RoleBinding subjects never <c>system:*</c>; only kinds
/// from <see cref="KnownResources"/>, inside the tenant's namespaces (or the tenant's Namespace objects themselves).
/// A refusal names the offending object with 403; nothing is applied or deleted.
/// </summary>
public static partial class TenantInvariants
{
    public const int RefusedStatus = 403;

    private static readonly HashSet<ObjectKind> Known = KnownResources.All.Select(resource => resource.Kind).ToHashSet();

    /// <summary>Namespaces no tenant's name may ever stand for: Kubernetes' own, the platform's, and conventional system ones.</summary>
    public static bool IsSystemNamespace(string name) =>
        name is "default" || name.StartsWith("kube-", StringComparison.Ordinal) || name.StartsWith("gocoffee", StringComparison.Ordinal)
        || name.StartsWith("openshift", StringComparison.Ordinal) || name.EndsWith("-system", StringComparison.Ordinal);

    /// <returns>Null when the tenant id is acceptable; otherwise why not.</returns>
    public static string? CheckTenantId(string? tenantId)
    {
        if (string.IsNullOrEmpty(tenantId))
        {
            return "the command names no tenant: the cluster-agent acts only for one named tenant";
        }

        if (tenantId.Length > 63 || !DnsLabel().IsMatch(tenantId))
        {
            return $"tenant id '{tenantId}' is not a DNS label";
        }

        return tenantId is "kube" || IsSystemNamespace(tenantId)
            ? $"tenant id '{tenantId}' is reserved for the platform or the cluster"
            : null;
    }

    /// <summary>True when <paramref name="name"/> is one of the tenant's namespaces by name: <c>&lt;tenantId&gt;-&lt;n&gt;</c>, n ≥ 1.</summary>
    public static bool IsTenantNamespace(string tenantId, string? name) =>
        name is not null
        && name.Length <= 63
        && name.StartsWith(tenantId + "-", StringComparison.Ordinal)
        && Ordinal().IsMatch(name[(tenantId.Length + 1)..])
        && !IsSystemNamespace(name);

    public static string? CheckNamespace(string tenantId, string? name) =>
        IsTenantNamespace(tenantId, name) ? null : $"namespace '{name}' is not one of tenant {tenantId}'s ('{tenantId}-<n>', never a system namespace)";

    /// <summary>An owner as the RoleBinding would name it may not be a Kubernetes system user or group.</summary>
    public static string? CheckOwner(string? owner)
    {
        if (string.IsNullOrWhiteSpace(owner))
        {
            return "an owner is empty";
        }

        var subject = owner;
        foreach (var prefix in new[] { "group:", "user:" })
        {
            if (subject.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                subject = subject[prefix.Length..];
            }
        }

        return subject.StartsWith("system:", StringComparison.OrdinalIgnoreCase)
            ? $"owner '{owner}' names a Kubernetes system subject ('system:*'), which no tenant may be bound as"
            : null;
    }

    /// <summary>Every object a command names: a known kind, the tenant's Namespace or inside one of the tenant's namespaces.</summary>
    public static string? CheckObject(string tenantId, ClusterObjectRef reference)
    {
        var kind = ObjectKind.Of(reference);
        if (!Known.Contains(kind))
        {
            return $"kind {kind} is not one the platform manages";
        }

        if (reference.Namespace is null)
        {
            return kind == ObjectKind.Namespace ? CheckNamespace(tenantId, reference.Name) : $"cluster-scoped {kind} is not one the platform manages for a tenant";
        }

        return kind == ObjectKind.Namespace ? "a Namespace has no namespace" : CheckNamespace(tenantId, reference.Namespace);
    }

    /// <summary>The first broken invariant of a plan, with the object it concerns; null when the plan may be applied.</summary>
    public static (ClusterObjectRef Target, string Reason)? Check(TenantPlan? plan)
    {
        var tenantObject = new ClusterObjectRef($"{TenantResource.Group}/{TenantResource.Version}", TenantResource.ResourceKind, null, plan?.TenantId ?? string.Empty);
        if (plan is null)
        {
            return (tenantObject, "the command carries no plan");
        }

        if (CheckTenantId(plan.TenantId) is { } badTenant)
        {
            return (tenantObject, badTenant);
        }

        foreach (var ns in plan.Namespaces ?? [])
        {
            if (CheckNamespace(plan.TenantId, ns?.Name) is { } badNamespace)
            {
                return (new ClusterObjectRef("v1", "Namespace", null, ns?.Name ?? string.Empty), badNamespace);
            }
        }

        foreach (var owner in plan.Owners ?? [])
        {
            if (CheckOwner(owner) is { } badOwner)
            {
                return (tenantObject, badOwner);
            }
        }

        return null;
    }

    /// <summary>The first object of <paramref name="objects"/> that breaks an invariant for the tenant; null when all may be touched.</summary>
    public static (ClusterObjectRef Target, string Reason)? Check(string? tenantId, IEnumerable<ClusterObjectRef?>? objects)
    {
        var tenantObject = new ClusterObjectRef($"{TenantResource.Group}/{TenantResource.Version}", TenantResource.ResourceKind, null, tenantId ?? string.Empty);
        if (CheckTenantId(tenantId) is { } badTenant)
        {
            return (tenantObject, badTenant);
        }

        foreach (var reference in objects ?? [])
        {
            if (reference is null)
            {
                return (tenantObject, "the command lists an empty object");
            }

            if (CheckObject(tenantId!, reference) is { } badObject)
            {
                return (reference, badObject);
            }
        }

        return null;
    }

    /// <summary>A refusal as the targets report failures, so consumers answer it like any failed step.</summary>
    public static ClusterRequestFailedException Refusal(ClusterObjectRef target, string reason) =>
        new(target, RefusedStatus, $"refused by the cluster-agent: {reason}", transient: false);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[1-9][0-9]{0,3}$")]
    private static partial Regex Ordinal();
}
