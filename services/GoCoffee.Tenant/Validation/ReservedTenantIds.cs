namespace GoCoffee.Tenant.Validation;

/// <summary>
/// Tenant ids that would collide with a platform route (<c>/api/tenants/{tenantId}</c> beside <c>/api/tenants/health</c>,
/// <c>openapi</c> and <c>_directory</c>; the gateway's <c>/docs</c>, <c>/metrics</c>, <c>/gateway</c> and the operator
/// console) or with a name Kubernetes or the platform owns (namespaces are <c>&lt;tenantId&gt;-&lt;n&gt;</c>, so a
/// tenant <c>kube</c> would make <c>kube-1</c> in the <c>kube-</c> prefix Kubernetes reserves).
/// </summary>
public static class ReservedTenantIds
{
    private static readonly HashSet<string> Exact = new(StringComparer.OrdinalIgnoreCase)
    {
        "health", "openapi", "metrics", "docs", "console", "_directory", "gateway", "default", "kube", "go-coffee",
    };

    private static readonly string[] Prefixes = ["kube-", "gocoffee"];

    /// <returns>Why the id is reserved, or null when a tenant may have it.</returns>
    public static string? Why(string tenantId)
    {
        if (Exact.Contains(tenantId))
        {
            return "the name of a platform route or of something the platform or Kubernetes owns";
        }

        return Prefixes.FirstOrDefault(prefix => tenantId.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) is { } reserved
            ? $"ids starting with '{reserved}' belong to {(reserved == "kube-" ? "Kubernetes" : "the platform")}"
            : null;
    }
}
