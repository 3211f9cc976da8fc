using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.CustomResources.Tenants;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Tenants;

namespace GoCoffee.ClusterAgent.Tests.CustomResources;

public sealed class TenantResourceJsonTests
{
    [Fact]
    public void A_custom_object_is_read_without_its_status_and_what_the_api_server_and_kubectl_keep_for_themselves()
    {
        var tenant = TenantResourceJson.Read(Object());

        Assert.Equal("enterprise-customer-1", tenant.Metadata!.Name);
        Assert.Equal(3, tenant.Metadata.Generation);
        Assert.Null(tenant.Status);
        Assert.Null(tenant.Metadata.ManagedFields);
        Assert.Equal(["team"], tenant.Metadata.Annotations!.Keys);
        Assert.Equal("ent-customer-1", tenant.Spec!.TenantId);
    }

    [Fact]
    public void Quantities_written_as_numbers_are_read_as_text()
    {
        var tenant = TenantResourceJson.Read(Object());

        Assert.Equal("20", tenant.Spec!.Resources!.Cpu);
        Assert.Equal("0.5", tenant.Spec.Resources.Memory);
        Assert.Equal("500Gi", tenant.Spec.Resources.Storage);
    }

    [Fact]
    public void A_field_of_the_wrong_type_is_named()
    {
        var obj = Object();
        obj["spec"]!["resources"]!["namespaces"] = "many";

        var error = Assert.Throws<JsonException>(() => TenantResourceJson.Read(obj));

        Assert.Equal("spec.resources.namespaces", TenantResourceJson.FieldOf(error));
    }

    [Fact]
    public void An_object_nested_deeper_than_the_platforms_limit_is_refused_naming_the_rule_and_one_at_the_limit_is_read()
    {
        static JsonObject Nested(int depth)
        {
            var obj = Object();
            obj["metadata"]!["managedFields"] = JsonNode.Parse("[{\"fieldsV1\":" + string.Concat(Enumerable.Repeat("{\"f:x\":", depth - 5)) + "{}" + new string('}', depth - 5) + "}]");
            return obj;
        }

        // root, metadata, managedFields, its item, then fieldsV1 and what it nests.
        var error = Assert.Throws<JsonException>(() => TenantResourceJson.Read(Nested(ResourceDocumentLimits.MaxDepth + 1)));
        Assert.Equal("$", TenantResourceJson.FieldOf(error));
        Assert.Contains($"max depth {ResourceDocumentLimits.MaxDepth}", error.Message, StringComparison.Ordinal);

        Assert.Equal("ent-customer-1", TenantResourceJson.Read(Nested(ResourceDocumentLimits.MaxDepth)).Spec!.TenantId);
    }

    [Fact]
    public void The_written_status_carries_the_generation_seen_on_itself_and_every_condition_with_times_to_the_second()
    {
        var at = new DateTimeOffset(2025, 6, 1, 12, 30, 15, 123, TimeSpan.FromHours(2));
        var status = new TenantStatus
        {
            Phase = "Active",
            Namespaces = ["ent-customer-1-1"],
            Conditions = [new ResourceCondition("Ready", "True", "Active", "The tenant is active.", at, ObservedGeneration: 1)],
        };

        var written = TenantResourceJson.Status(status, observedGeneration: 4);

        Assert.Equal(4, written["observedGeneration"]!.GetValue<long>());
        var ready = written["conditions"]![0]!;
        Assert.Equal(4, ready["observedGeneration"]!.GetValue<long>());
        Assert.Equal("2025-06-01T10:30:15Z", ready["lastTransitionTime"]!.GetValue<string>());
        Assert.Equal("Active", written["phase"]!.GetValue<string>());
        Assert.Null(written["billing"]!["lastBilled"]);
    }

    private static JsonObject Object() => JsonNode.Parse("""
        {
          "apiVersion": "tenant.gocoffee.dev/v1",
          "kind": "Tenant",
          "metadata": {
            "name": "enterprise-customer-1",
            "uid": "5a4e4b0c-0000-4000-8000-000000000001",
            "generation": 3,
            "resourceVersion": "812",
            "creationTimestamp": "2025-06-01T10:00:00Z",
            "annotations": {
              "kubectl.kubernetes.io/last-applied-configuration": "{\"apiVersion\":\"tenant.gocoffee.dev/v1\"}",
              "team": "sales"
            },
            "managedFields": [{ "manager": "kubectl-client-side-apply", "operation": "Update" }]
          },
          "spec": {
            "tenantId": "ent-customer-1",
            "tier": "enterprise",
            "resources": { "namespaces": 5, "cpu": 20, "memory": 0.5, "storage": "500Gi" }
          },
          "status": { "phase": "Active", "observedGeneration": 2 }
        }
        """)!.AsObject();
}
