namespace GoCoffee.Testing;

/// <summary>Tenant documents the tests and benchmarks post, in the YAML a user would write.</summary>
public static class TenantDocuments
{
    private static readonly string[] DefaultOwners = ["alice@example.com", "group:baristas"];

    /// <summary>A tenant with the given tier, namespaces and totals (20Gi of storage), owned by alice and the baristas group unless <paramref name="owners"/> says otherwise.</summary>
    public static string Yaml(string id, string tier, int namespaces, string cpu = "4", string memory = "8Gi", IReadOnlyList<string>? owners = null) => $"""
        apiVersion: tenant.gocoffee.dev/v1
        kind: Tenant
        metadata:
          name: {id}
        spec:
          tenantId: {id}
          tier: {tier}
          owners: [{string.Join(", ", (owners ?? DefaultOwners).Select(owner => $"\"{owner}\""))}]
          resources:
            namespaces: {namespaces}
            cpu: "{cpu}"
            memory: "{memory}"
            storage: "20Gi"
        """;
}
