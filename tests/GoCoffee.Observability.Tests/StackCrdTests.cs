using System.Net;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using GoCoffee.Contracts.Observability;
using GoCoffee.FakeKubernetes;
using GoCoffee.Testing;

namespace GoCoffee.Observability.Tests;

/// <summary>The ObservabilityStack CRD against the C# model, and a stack applied and deleted with the real kubectl.</summary>
public sealed class StackCrdTests(StackTests.Platform platform) : IClassFixture<StackTests.Platform>, IDisposable
{
    private static readonly string CrdFile = Path.Combine(AppContext.BaseDirectory, "crds", "observabilitystacks.observability.gocoffee.dev.yaml");
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly Kubectl _kubectl = new(platform.Kubernetes);

    public void Dispose() => _kubectl.Dispose();

    [Fact]
    public void Every_field_of_the_model_is_in_the_crd_schema_and_the_schema_has_no_other()
    {
        var crd = Yaml.ParseObject(File.ReadAllText(CrdFile));
        Assert.Equal($"{ObservabilityStackResource.Plural}.{ObservabilityStackResource.Group}", (string?)crd["metadata"]!["name"]);
        Assert.Equal("Namespaced", (string?)crd["spec"]!["scope"]);
        Assert.Equal(["obs"], crd["spec"]!["names"]!["shortNames"]!.AsArray().Select(n => (string?)n));
        var version = crd["spec"]!["versions"]![0]!;
        Assert.NotNull(version["subresources"]?["status"]);
        var mismatches = new List<string>();
        Compare(typeof(ObservabilityStackResource), (JsonObject)version["schema"]!["openAPIV3Schema"]!, string.Empty, mismatches);
        Assert.True(mismatches.Count == 0, "The CRD and ObservabilityStackResource differ:\n" + string.Join('\n', mismatches));
    }

    [Fact]
    public async Task The_example_stack_applied_with_kubectl_in_a_tenant_namespace_is_installed_with_its_status_written_back_and_kubectl_delete_removes_it()
    {
        await platform.Prepare();
        if (platform.Kubernetes.Get("apiextensions.k8s.io", "customresourcedefinitions", null, "observabilitystacks.observability.gocoffee.dev") is null)
        {
            await _kubectl.RunAsync("apply", "-f", CrdFile);
        }

        var applied = await _kubectl.RunAsync("apply", "-f", Path.Combine(AppContext.BaseDirectory, "examples", "observabilitystack-platform-monitoring.yaml"));
        Assert.Contains("observabilitystack.observability.gocoffee.dev/platform-monitoring created", applied, StringComparison.Ordinal);
        var status = await TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Kubernetes.Get("observabilitystacks", "ent-customer-1-1", "platform-monitoring")?["status"] is JsonObject s && (string?)s["phase"] == "Ready" ? s : null),
            Timeout,
            "the stack's status on the custom resource is Ready");
        Assert.Equal("Ready", (string?)status["components"]!["prometheus"]!["status"]);
        Assert.Equal(1L, (long?)status["observedGeneration"]);
        Assert.NotNull(platform.Kubernetes.Get("prometheuses", "ent-customer-1-1", "platform-monitoring"));
        Assert.Equal("Ready", await _kubectl.RunAsync("get", "obs", "platform-monitoring", "-n", "ent-customer-1-1", "-o", "jsonpath={.status.phase}"));

        // The API sees the same stack and does not let its own DELETE take one kubectl manages.
        Assert.Equal(HttpStatusCode.Conflict, (await platform.Client("ent-customer-1").DeleteAsync("/api/observability/stacks/platform-monitoring")).StatusCode);

        await _kubectl.RunAsync("delete", "obs", "platform-monitoring", "-n", "ent-customer-1-1");
        await TestInfrastructure.Eventually(
            async () => platform.Kubernetes.Get("prometheuses", "ent-customer-1-1", "platform-monitoring") is null
                && (await platform.Client("ent-customer-1").GetAsync("/api/observability/stacks/platform-monitoring")).StatusCode == HttpStatusCode.NotFound ? "gone" : null,
            Timeout,
            "deleting the custom resource deletes the stack and its objects");
        Assert.Null(platform.Kubernetes.Get("alertmanagerconfigs", "ent-customer-1-1", "platform-monitoring"));
    }

    [Fact]
    public async Task A_stack_custom_resource_with_a_broken_rule_gets_promtools_error_on_its_status_and_nothing_is_applied()
    {
        await platform.Prepare();
        if (platform.Kubernetes.Get("apiextensions.k8s.io", "customresourcedefinitions", null, "observabilitystacks.observability.gocoffee.dev") is null)
        {
            await _kubectl.RunAsync("apply", "-f", CrdFile);
        }

        var file = Path.Combine(Path.GetTempPath(), $"gocoffee-stack-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, StackTests.Minimal("broken-cr", "monitoring: { rules: [{ name: g, rules: [{ alert: A, expr: \"rate(up[5m]\" }] }] }"));
        try
        {
            await _kubectl.RunAsync("apply", "-f", file);
        }
        finally
        {
            File.Delete(file);
        }

        var status = await TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Kubernetes.Get("observabilitystacks", "ent-customer-1-1", "broken-cr")?["status"] is JsonObject s && (string?)s["phase"] == "Failed" ? s : null),
            Timeout,
            "the refusal is on the custom resource's status");
        var synced = status["conditions"]!.AsArray().Single(c => (string?)c!["type"] == "Synced")!;
        Assert.Equal("Invalid", (string?)synced["reason"]);
        Assert.StartsWith("spec.monitoring.rules[0].rules[0].expr: promtool:", (string?)synced["message"], StringComparison.Ordinal);
        Assert.Null(platform.Kubernetes.Get("prometheuses", "ent-customer-1-1", "broken-cr"));
    }

    private static void Compare(Type type, JsonObject schema, string path, List<string> mismatches)
    {
        var properties = schema["properties"] as JsonObject ?? [];
        var model = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).ToDictionary(
            p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name), StringComparer.Ordinal);
        foreach (var (name, property) in model)
        {
            var at = path.Length == 0 ? name : $"{path}.{name}";
            if (properties[name] is not JsonObject field)
            {
                mismatches.Add($"{at}: in the model, not in the schema");
                continue;
            }

            if (at == "metadata" || field["x-kubernetes-preserve-unknown-fields"] is not null)
            {
                continue;
            }

            var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>))
            {
                t = t.GetGenericArguments()[0];
                field = field["items"] as JsonObject ?? [];
                if (field["x-kubernetes-preserve-unknown-fields"] is not null)
                {
                    continue;
                }
            }
            else if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                t = t.GetGenericArguments()[1];
                field = field["additionalProperties"] as JsonObject ?? [];
            }

            if (t.IsClass && t != typeof(string))
            {
                Compare(t, field, at, mismatches);
            }
        }

        foreach (var (name, _) in properties)
        {
            if (!model.ContainsKey(name))
            {
                mismatches.Add($"{(path.Length == 0 ? name : $"{path}.{name}")}: in the schema, not in the model");
            }
        }
    }
}
