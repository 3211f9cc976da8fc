using GoCoffee.Contracts.Tenants;
using k8s.Models;

namespace GoCoffee.ClusterAgent.Tenants;

/// <summary>
/// What the tenant's owners may do in each of its namespaces: run and configure their workloads, and see (not change)
/// the quota, limits and network policies the platform set. No RBAC objects, so owners cannot grant themselves more.
/// </summary>
public static class TenantAdminAccess
{
    public const string RoleName = "gocoffee-tenant-admin";

    public const string BindingName = "gocoffee-tenant-admins";

    private const string GroupPrefix = "group:";
    private const string UserPrefix = "user:";

    private static readonly string[] AllVerbs = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];
    private static readonly string[] ReadVerbs = ["get", "list", "watch"];

    public static V1Role BuildRole(TenantPlan plan, TenantNamespacePlan ns) => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1",
        Kind = "Role",
        Metadata = TenantNamespace.Metadata(plan, ns, RoleName),
        Rules =
        [
            Rule(string.Empty, ["pods", "pods/log", "pods/exec", "pods/portforward", "services", "endpoints", "configmaps", "secrets", "persistentvolumeclaims", "serviceaccounts"], AllVerbs),
            Rule(string.Empty, ["events", "resourcequotas", "limitranges"], ReadVerbs),
            Rule("apps", ["deployments", "deployments/scale", "statefulsets", "statefulsets/scale", "replicasets", "daemonsets"], AllVerbs),
            Rule("batch", ["jobs", "cronjobs"], AllVerbs),
            Rule("autoscaling", ["horizontalpodautoscalers"], AllVerbs),
            Rule("policy", ["poddisruptionbudgets"], AllVerbs),
            Rule("networking.k8s.io", ["ingresses"], AllVerbs),
            Rule("networking.k8s.io", ["networkpolicies"], ReadVerbs),
            Rule("ai.gocoffee.dev", ["aiworkloads", "modelregistries"], AllVerbs),
            Rule("observability.gocoffee.dev", ["observabilitystacks"], AllVerbs),
        ],
    };

    /// <summary>Binds every owner: <c>group:platform-admins</c> is a Group, <c>user:ana@example.com</c> or a bare name a User.</summary>
    public static V1RoleBinding BuildBinding(TenantPlan plan, TenantNamespacePlan ns) => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1",
        Kind = "RoleBinding",
        Metadata = TenantNamespace.Metadata(plan, ns, BindingName),
        RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = RoleName },
        Subjects = plan.Owners.Distinct(StringComparer.Ordinal).Select(Subject).ToList(),
    };

    private static Rbacv1Subject Subject(string owner) =>
        owner.StartsWith(GroupPrefix, StringComparison.OrdinalIgnoreCase)
            ? new Rbacv1Subject { ApiGroup = "rbac.authorization.k8s.io", Kind = "Group", Name = owner[GroupPrefix.Length..] }
            : new Rbacv1Subject
            {
                ApiGroup = "rbac.authorization.k8s.io",
                Kind = "User",
                Name = owner.StartsWith(UserPrefix, StringComparison.OrdinalIgnoreCase) ? owner[UserPrefix.Length..] : owner,
            };

    private static V1PolicyRule Rule(string apiGroup, string[] resources, string[] verbs) =>
        new() { ApiGroups = [apiGroup], Resources = resources, Verbs = verbs };
}
