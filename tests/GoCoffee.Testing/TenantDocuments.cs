namespace GoCoffee.Testing;

/// <summary>Tenant documents the tests and benchmarks post, in the YAML a user would write.</summary>
public static class TenantDocuments
{
    /// <summary>A tenant with two owners (one a group) and the given tier, namespaces and totals; 20Gi of storage.</summary>
    public static string Yaml(string id, string tier, int namespaces, string cpu = "4", string memory = "8Gi") => $"""
        apiVersion: tenant.gocoffee.dev/v1
        kind: Tenant
        metadata:
          name: {id}
        spec:
          tenantId: {id}
          tier: {tier}
          owners: ["alice@example.com", "group:baristas"]
          resources:
            namespaces: {namespaces}
            cpu: "{cpu}"
            memory: "{memory}"
            storage: "20Gi"
        """;
}
