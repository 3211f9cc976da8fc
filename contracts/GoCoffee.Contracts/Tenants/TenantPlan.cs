namespace GoCoffee.Contracts.Tenants;

/// <summary>
/// What the cluster must hold for a tenant, derived by the tenant service from the spec and the tier. The
/// cluster-agent turns it into Kubernetes objects and holds no tenant logic of its own.
/// </summary>
/// <param name="IsolationLevel">One of <see cref="IsolationLevels.All"/>: the namespaces' Pod Security Admission level.</param>
/// <param name="NodeSelector">
/// <c>spec.isolation.nodeAffinity</c>: node labels every pod of the tenant's namespaces is placed on (the namespaces'
/// <c>scheduler.alpha.kubernetes.io/node-selector</c>); empty or null for any node.
/// </param>
public sealed record TenantPlan(
    string TenantId,
    string Tier,
    string IsolationLevel,
    bool NetworkPolicies,
    IReadOnlyList<string> Owners,
    IReadOnlyList<TenantNamespacePlan> Namespaces,
    IReadOnlyDictionary<string, string>? NodeSelector = null);

/// <summary>One namespace: its ResourceQuota (the namespaces' quotas add up to exactly the tenant's totals) and LimitRange.</summary>
public sealed record TenantNamespacePlan(string Name, NamespaceQuotaPlan Quota, NamespaceLimitsPlan Limits);

/// <summary>Kubernetes quantities, ready for a ResourceQuota's <c>hard</c>.</summary>
public sealed record NamespaceQuotaPlan(
    string Cpu,
    string Memory,
    string Storage,
    int Pods,
    int Services,
    int LoadBalancers,
    IReadOnlyDictionary<string, int> Gpus);

public sealed record NamespaceLimitsPlan(string DefaultCpu, string DefaultMemory, string DefaultRequestCpu, string DefaultRequestMemory, string MaxCpu, string MaxMemory);
