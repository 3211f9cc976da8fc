using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
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
        Compare(typeof(TenantResource), Schema, "", mismatches);
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

    private static void Compare(Type type, JsonObject schema, string path, List<string> mismatches)
    {
        var properties = schema["properties"] as JsonObject ?? [];
        var model = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).ToDictionary(JsonName, StringComparer.Ordinal);
        foreach (var (name, property) in model)
        {
            var at = path.Length == 0 ? name : $"{path}.{name}";
            if (properties[name] is not JsonObject field)
            {
                mismatches.Add($"{at}: in the model ({property.PropertyType.Name}), not in the schema");
                continue;
            }

            if (type == typeof(TenantResource) && name == "metadata")
            {
                // Kubernetes owns the schema of metadata; a CRD may only say it is an object.
                CheckType(at, field, "object", mismatches);
                continue;
            }

            CompareValue(Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType, field, at, mismatches);
        }

        foreach (var (name, _) in properties)
        {
            if (!model.ContainsKey(name))
            {
                mismatches.Add($"{(path.Length == 0 ? name : $"{path}.{name}")}: in the schema, not in the model");
            }
        }
    }

    private static void CompareValue(Type type, JsonObject field, string at, List<string> mismatches)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            if (field["x-kubernetes-int-or-string"] is null)
            {
                CheckType(at, field, "string", mismatches);
            }
        }
        else if (type == typeof(int) || type == typeof(long))
        {
            CheckType(at, field, "integer", mismatches);
        }
        else if (type == typeof(bool))
        {
            CheckType(at, field, "boolean", mismatches);
        }
        else if (type == typeof(decimal) || type == typeof(double))
        {
            CheckType(at, field, "number", mismatches);
        }
        else if (type == typeof(DateTimeOffset))
        {
            CheckType(at, field, "string", mismatches);
            if ((string?)field["format"] != "date-time")
            {
                mismatches.Add($"{at}: a time in the model, without format date-time in the schema");
            }
        }
        else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            CheckType(at, field, "object", mismatches);
            if (field["additionalProperties"] is JsonObject values)
            {
                CompareValue(type.GetGenericArguments()[1], values, $"{at}.*", mismatches);
            }
            else
            {
                mismatches.Add($"{at}: a map in the model, without additionalProperties in the schema");
            }
        }
        else if (typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType)
        {
            CheckType(at, field, "array", mismatches);
            if (field["items"] is JsonObject items)
            {
                CompareValue(type.GetGenericArguments()[0], items, $"{at}[]", mismatches);
            }
            else
            {
                mismatches.Add($"{at}: a list in the model, without items in the schema");
            }
        }
        else if (type.IsClass)
        {
            CheckType(at, field, "object", mismatches);
            Compare(type, field, at, mismatches);
        }
        else
        {
            mismatches.Add($"{at}: {type.Name} has no schema type this test knows");
        }
    }

    private static void CheckType(string at, JsonObject field, string expected, List<string> mismatches)
    {
        if ((string?)field["type"] != expected)
        {
            mismatches.Add($"{at}: {expected} in the model, {(string?)field["type"] ?? "untyped"} in the schema");
        }
    }

    private static string JsonName(PropertyInfo property) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);

    /// <summary>
    /// The CRD's openAPIV3Schema as JSON Schema, evaluated as the API server with strict field validation would:
    /// an object schema listing its properties admits no others.
    /// </summary>
    private static EvaluationResults Evaluate(JsonObject resource)
    {
        var schema = Schema.DeepClone().AsObject();
        Strict(schema);
        var evaluator = JsonSchema.FromText(schema.ToJsonString());
        using var document = JsonDocument.Parse(resource.ToJsonString());
        return evaluator.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static void Strict(JsonNode? node)
    {
        if (node is JsonObject schema)
        {
            if (schema["properties"] is JsonObject && schema["additionalProperties"] is null && schema["x-kubernetes-preserve-unknown-fields"] is null)
            {
                schema["additionalProperties"] = false;
            }

            foreach (var key in schema.Select(p => p.Key).Where(k => k.StartsWith("x-kubernetes-", StringComparison.Ordinal)).ToList())
            {
                schema.Remove(key);
            }

            foreach (var (_, child) in schema.ToList())
            {
                Strict(child);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var item in array)
            {
                Strict(item);
            }
        }
    }

    private static string Describe(EvaluationResults results) =>
        string.Join('\n', (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}")));
}
