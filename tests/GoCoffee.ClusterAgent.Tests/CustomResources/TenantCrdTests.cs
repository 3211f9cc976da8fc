using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.Tests.Support;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Tenants;
using GoCoffee.FakeKubernetes;
using GoCoffee.Testing;
using Json.Schema;

namespace GoCoffee.ClusterAgent.Tests.CustomResources;

/// <summary>
/// The Tenant CRD shipped with the Helm chart against the one C# model of the resource, both ways, so neither can
/// change without the other; and the seed's Tenant against the CRD's schema.
/// </summary>
public sealed class TenantCrdTests
{
    private static readonly JsonObject Crd = Yaml.ParseObject(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "crds", "tenants.tenant.gocoffee.dev.yaml")));

    private static JsonObject Version => (JsonObject)Crd["spec"]!["versions"]!.AsArray().Single()!;

    private static JsonObject Schema => (JsonObject)Version["schema"]!["openAPIV3Schema"]!;

    [Fact]
    public void The_crd_serves_cluster_scoped_tenants_with_a_status_subresource_and_printer_columns()
    {
        Assert.Equal("tenants.tenant.gocoffee.dev", (string?)Crd["metadata"]!["name"]);
        Assert.Equal(TenantResource.Group, (string?)Crd["spec"]!["group"]);
        Assert.Equal("Cluster", (string?)Crd["spec"]!["scope"]);
        Assert.Equal(TenantResource.ResourceKind, (string?)Crd["spec"]!["names"]!["kind"]);
        Assert.Equal(TenantResource.Plural, (string?)Crd["spec"]!["names"]!["plural"]);
        Assert.Equal(["tn"], Crd["spec"]!["names"]!["shortNames"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(TenantResource.Version, (string?)Version["name"]);
        Assert.NotNull(Version["subresources"]?["status"]);

        var columns = Version["additionalPrinterColumns"]!.AsArray().OfType<JsonObject>().ToDictionary(c => (string)c["name"]!, c => (string)c["jsonPath"]!);
        Assert.Equal(".spec.tier", columns["Tier"]);
        Assert.Equal(".status.phase", columns["Phase"]);
        Assert.Equal(".status.conditions[?(@.type==\"Ready\")].status", columns["Ready"]);
        Assert.Equal(".metadata.creationTimestamp", columns["Age"]);
        Assert.Equal(["tenantId", "tier", "resources"], Schema["properties"]!["spec"]!["required"]!.AsArray().Select(n => (string?)n));
    }

    [Fact]
    public void Every_field_of_the_model_is_in_the_schema_with_a_compatible_type_and_the_schema_has_no_other()
    {
        var mismatches = new List<string>();
        CrdSchema.Compare(typeof(TenantResource), Schema, "", mismatches);
        Assert.True(mismatches.Count == 0, "The CRD and TenantResource differ:\n" + string.Join('\n', mismatches));
    }

    [Fact]
    public void The_schema_holds_the_rules_of_the_resource_model()
    {
        var spec = Schema["properties"]!["spec"]!["properties"]!;
        Assert.Equal(63L, (long)spec["tenantId"]!["maxLength"]!);
        Assert.Equal("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", (string?)spec["tenantId"]!["pattern"]);
        Assert.Equal(["free", "basic", "premium", "enterprise"], spec["tier"]!["enum"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(1L, (long)spec["resources"]!["properties"]!["namespaces"]!["minimum"]!);
        Assert.Equal(100L, (long)spec["resources"]!["properties"]!["namespaces"]!["maximum"]!);
        Assert.Equal(0L, (long)spec["resources"]!["properties"]!["loadBalancers"]!["minimum"]!);
        Assert.Equal(10L, (long)spec["resources"]!["properties"]!["loadBalancers"]!["maximum"]!);
        Assert.Equal(["soft", "hard", "strict"], spec["isolation"]!["properties"]!["level"]!["enum"]!.AsArray().Select(n => (string?)n));
        foreach (var quantity in new[] { "cpu", "memory", "storage" })
        {
            Assert.True((bool)spec["resources"]!["properties"]![quantity]!["x-kubernetes-int-or-string"]!, $"{quantity} is int-or-string");
        }

        var conditions = Schema["properties"]!["status"]!["properties"]!["conditions"]!;
        Assert.Equal("map", (string?)conditions["x-kubernetes-list-type"]);
        Assert.Equal(["type", "status", "lastTransitionTime"], conditions["items"]!["required"]!.AsArray().Select(n => (string?)n));
    }

    [Fact]
    public void The_seeds_enterprise_tenant_is_valid_against_the_schema()
    {
        var seed = Yaml.ParseObject(SeedDocuments.EnterpriseTenantYaml);

        var results = Evaluate(seed);

        Assert.True(results.IsValid, "The seed's Tenant fails the CRD schema:\n" + Describe(results));
    }

    [Theory]
    [InlineData("spec.tier", "platinum")]
    [InlineData("spec.tenantId", "Not_A_Label")]
    [InlineData("spec.resources.namespaces", 101)]
    [InlineData("spec.resources.loadBalancers", 11)]
    [InlineData("spec.resources.cpu", "lots")]
    [InlineData("spec.isolation.level", "total")]
    [InlineData("spec.unknownField", true)]
    public void A_tenant_breaking_a_rule_fails_the_schema(string field, object value)
    {
        var tenant = Yaml.ParseObject(SeedDocuments.EnterpriseTenantYaml);
        var path = field.Split('.');
        var parent = path[..^1].Aggregate((JsonNode)tenant, (node, key) => node[key] ??= new JsonObject());
        parent[path[^1]] = JsonValue.Create(value);

        Assert.False(Evaluate(tenant).IsValid, $"{field}: {value} passes the schema");
    }

    [Fact]
    public void Quantities_may_be_numbers_as_kubectl_users_write_them()
    {
        var tenant = Yaml.ParseObject(SeedDocuments.EnterpriseTenantYaml.Replace("cpu: \"20\"", "cpu: 20", StringComparison.Ordinal));
        Assert.Equal(JsonValueKind.Number, tenant["spec"]!["resources"]!["cpu"]!.GetValueKind());

        Assert.True(Evaluate(tenant).IsValid);
    }

    private static EvaluationResults Evaluate(JsonObject resource) => CrdSchema.Evaluate(Schema, resource);

    private static string Describe(EvaluationResults results) => CrdSchema.Describe(results);
}
