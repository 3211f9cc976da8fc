using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.Tests.Support;
using GoCoffee.Contracts.Ai;
using GoCoffee.FakeKubernetes;
using GoCoffee.Testing;

namespace GoCoffee.ClusterAgent.Tests.CustomResources;

/// <summary>The AIWorkload CRD shipped with the Helm chart against the one C# model of the resource, and the seed's AIWorkload against it.</summary>
public sealed class AiWorkloadCrdTests
{
    private static readonly JsonObject Crd = Yaml.ParseObject(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "crds", "aiworkloads.ai.gocoffee.dev.yaml")));

    private static JsonObject Version => (JsonObject)Crd["spec"]!["versions"]!.AsArray().Single()!;

    private static JsonObject Schema => (JsonObject)Version["schema"]!["openAPIV3Schema"]!;

    [Fact]
    public void The_crd_serves_namespaced_aiworkloads_with_a_status_subresource()
    {
        Assert.Equal("aiworkloads.ai.gocoffee.dev", (string?)Crd["metadata"]!["name"]);
        Assert.Equal(AiWorkloadResource.Group, (string?)Crd["spec"]!["group"]);
        Assert.Equal("Namespaced", (string?)Crd["spec"]!["scope"]);
        Assert.Equal(AiWorkloadResource.ResourceKind, (string?)Crd["spec"]!["names"]!["kind"]);
        Assert.Equal(AiWorkloadResource.Plural, (string?)Crd["spec"]!["names"]!["plural"]);
        Assert.Equal(["aiw"], Crd["spec"]!["names"]!["shortNames"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(AiWorkloadResource.Version, (string?)Version["name"]);
        Assert.NotNull(Version["subresources"]?["status"]);
        Assert.Equal(["workloadType", "model", "resources"], Schema["properties"]!["spec"]!["required"]!.AsArray().Select(n => (string?)n));
    }

    [Fact]
    public void Every_field_of_the_model_is_in_the_schema_with_a_compatible_type_and_the_schema_has_no_other()
    {
        var mismatches = new List<string>();
        CrdSchema.Compare(typeof(AiWorkloadResource), Schema, "", mismatches);
        Assert.True(mismatches.Count == 0, "The CRD and AiWorkloadResource differ:\n" + string.Join('\n', mismatches));
    }

    [Fact]
    public void The_seeds_coffee_recommendation_ai_is_valid_against_the_schema()
    {
        var results = CrdSchema.Evaluate(Schema, Yaml.ParseObject(SeedDocuments.CoffeeRecommendationAiYaml));

        Assert.True(results.IsValid, "The seed's AIWorkload fails the CRD schema:\n" + CrdSchema.Describe(results));
    }

    [Theory]
    [InlineData("spec.workloadType", "mining")]
    [InlineData("spec.resources.gpu.count", 9)]
    [InlineData("spec.resources.gpu.type", "nvidia-rtx-4090")]
    [InlineData("spec.resources.memory", "lots")]
    [InlineData("spec.scaling.targetGPUUtilization", 101)]
    [InlineData("spec.scaling.scaleUpDelay", "soon")]
    [InlineData("spec.model.name", "Not_A_Label")]
    [InlineData("spec.tenantId", "someone-else")]
    public void An_aiworkload_breaking_a_rule_fails_the_schema(string field, object value)
    {
        var workload = Yaml.ParseObject(SeedDocuments.CoffeeRecommendationAiYaml);
        var path = field.Split('.');
        var parent = path[..^1].Aggregate((JsonNode)workload, (node, key) => node[key] ??= new JsonObject());
        parent[path[^1]] = JsonValue.Create(value);

        Assert.False(CrdSchema.Evaluate(Schema, workload).IsValid, $"{field}: {value} passes the schema");
    }
}

/// <summary>The ModelRegistry CRD shipped with the Helm chart against the one C# model of the resource.</summary>
public sealed class ModelRegistryCrdTests
{
    private static readonly JsonObject Crd = Yaml.ParseObject(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "crds", "modelregistries.ai.gocoffee.dev.yaml")));

    private static JsonObject Version => (JsonObject)Crd["spec"]!["versions"]!.AsArray().Single()!;

    private static JsonObject Schema => (JsonObject)Version["schema"]!["openAPIV3Schema"]!;

    [Fact]
    public void The_crd_serves_namespaced_model_registries_with_a_status_subresource()
    {
        Assert.Equal("modelregistries.ai.gocoffee.dev", (string?)Crd["metadata"]!["name"]);
        Assert.Equal(ModelRegistryResource.Group, (string?)Crd["spec"]!["group"]);
        Assert.Equal("Namespaced", (string?)Crd["spec"]!["scope"]);
        Assert.Equal(ModelRegistryResource.ResourceKind, (string?)Crd["spec"]!["names"]!["kind"]);
        Assert.Equal(["mreg"], Crd["spec"]!["names"]!["shortNames"]!.AsArray().Select(n => (string?)n));
        Assert.NotNull(Version["subresources"]?["status"]);
    }

    [Fact]
    public void Every_field_of_the_model_is_in_the_schema_with_a_compatible_type_and_the_schema_has_no_other()
    {
        var mismatches = new List<string>();
        CrdSchema.Compare(typeof(ModelRegistryResource), Schema, "", mismatches);

        // Written by the cluster-agent itself: phase (Failed when it refuses an object outside a tenant's namespace) and
        // the generation it handed on.
        mismatches.Remove("status.phase: in the schema, not in the model");
        mismatches.Remove("status.observedGeneration: in the schema, not in the model");
        Assert.True(mismatches.Count == 0, "The CRD and ModelRegistryResource differ:\n" + string.Join('\n', mismatches));
    }

    [Theory]
    [InlineData("name", "Not_A_Label")]
    [InlineData("version", "v 1")]
    [InlineData("unknownField", "x")]
    public void A_model_version_breaking_a_rule_fails_the_schema(string field, string value)
    {
        var registry = Yaml.ParseObject("""
            apiVersion: ai.gocoffee.dev/v1
            kind: ModelRegistry
            metadata: { name: registry }
            spec:
              models:
                - { name: coffee-recommendation, version: v2.1.0, framework: onnx, source: "gs://go-coffee-models/recommendation-v2.1.0" }
              aliases: { coffee-recommendation: { production: v2.1.0 } }
            """);
        Assert.True(CrdSchema.Evaluate(Schema, registry).IsValid, CrdSchema.Describe(CrdSchema.Evaluate(Schema, registry)));

        registry["spec"]!["models"]![0]![field] = value;

        Assert.False(CrdSchema.Evaluate(Schema, registry).IsValid, $"{field}: {value} passes the schema");
    }
}
