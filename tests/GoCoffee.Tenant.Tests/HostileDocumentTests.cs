using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.Resources;

namespace GoCoffee.Tenant.Tests;

/// <summary>Malformed and hostile tenant documents: every one is a 400 problem naming the field, and nothing is created.</summary>
public sealed class HostileDocumentTests(TenantHost tenants) : IClassFixture<TenantHost>
{
    private const string Valid = """
        {"apiVersion":"tenant.gocoffee.dev/v1","kind":"Tenant","metadata":{"name":"hostile"},
         "spec":{"tenantId":"hostile","tier":"premium","resources":{"namespaces":2,"cpu":"4","memory":"8Gi","storage":"50Gi"}}}
        """;

    public static TheoryData<string, string, string, string> Documents() => new()
    {
        { "empty body", "json", string.Empty, "$" },
        { "truncated JSON", "json", """{"apiVersion":"tenant.gocoffee.dev/v1","spec":{""", "$" },
        { "a JSON array", "json", "[1,2,3]", "$" },
        { "wrong apiVersion", "json", With(d => d["apiVersion"] = "v1"), "apiVersion" },
        { "wrong kind", "json", With(d => d["kind"] = "Namespace"), "kind" },
        { "no spec", "json", With(d => d.Remove("spec")), "spec" },
        { "no tenant id", "json", With(d => Spec(d).Remove("tenantId")), "spec.tenantId" },
        { "upper-case tenant id", "json", With(d => Spec(d)["tenantId"] = "Hostile"), "spec.tenantId" },
        { "64-character tenant id", "json", With(d => Spec(d)["tenantId"] = new string('a', 64)), "spec.tenantId" },
        { "path traversal in tenant id", "json", With(d => Spec(d)["tenantId"] = "../../etc/passwd"), "spec.tenantId" },
        { "tenant id starting with a dash", "json", With(d => Spec(d)["tenantId"] = "-hostile"), "spec.tenantId" },
        { "tenant id of the wrong type", "json", With(d => Spec(d)["tenantId"] = 42), "spec.tenantId" },
        { "unknown tier", "json", With(d => Spec(d)["tier"] = "platinum"), "spec.tier" },
        { "no tier", "json", With(d => Spec(d).Remove("tier")), "spec.tier" },
        { "no resources", "json", With(d => Spec(d).Remove("resources")), "spec.resources" },
        { "zero namespaces", "json", With(d => Resources(d)["namespaces"] = 0), "spec.resources.namespaces" },
        { "101 namespaces", "json", With(d => Resources(d)["namespaces"] = 101), "spec.resources.namespaces" },
        { "namespaces above the tier", "json", With(d => Resources(d)["namespaces"] = 6), "spec.resources.namespaces" },
        { "namespaces as text", "json", With(d => Resources(d)["namespaces"] = "five"), "spec.resources.namespaces" },
        { "cpu that is not a quantity", "json", With(d => Resources(d)["cpu"] = "lots"), "spec.resources.cpu" },
        { "negative cpu", "json", With(d => Resources(d)["cpu"] = "-5"), "spec.resources.cpu" },
        { "cpu above the tier", "json", With(d => Resources(d)["cpu"] = "17"), "spec.resources.cpu" },
        { "memory in a unit Kubernetes lacks", "json", With(d => Resources(d)["memory"] = "8GB"), "spec.resources.memory" },
        { "memory above the tier", "json", With(d => Resources(d)["memory"] = "64Gi"), "spec.resources.memory" },
        { "storage that overflows", "json", With(d => Resources(d)["storage"] = "1e999"), "spec.resources.storage" },
        { "eleven load balancers", "json", With(d => Resources(d)["loadBalancers"] = 11), "spec.resources.loadBalancers" },
        { "an unknown spec field", "json", With(d => Spec(d)["rootAccess"] = true), "spec.rootAccess" },
        { "an unknown service", "json", With(d => Spec(d)["services"] = new JsonObject { ["gaming"] = new JsonObject() }), "spec.services.gaming" },
        { "an unknown coffee feature", "json", With(d => Spec(d)["services"] = JsonNode.Parse("""{"coffee":{"enabled":true,"features":["free-refills"]}}""")), "spec.services.coffee.features[0]" },
        { "an unknown network", "json", With(d => Spec(d)["services"] = JsonNode.Parse("""{"web3":{"enabled":true,"networks":["solana"]}}""")), "spec.services.web3.networks[0]" },
        { "GPUs above the tier", "json", With(d => Spec(d)["services"] = JsonNode.Parse("""{"ai":{"enabled":true,"gpuQuota":5}}""")), "spec.services.ai.gpuQuota" },
        { "a GPU type the tier lacks", "json", With(d => Spec(d)["services"] = JsonNode.Parse("""{"ai":{"enabled":true,"gpuTypes":["nvidia-tesla-a100"]}}""")), "spec.services.ai.gpuTypes[0]" },
        { "an unknown isolation level", "json", With(d => Spec(d)["isolation"] = JsonNode.Parse("""{"level":"paranoid"}""")), "spec.isolation.level" },
        { "script in an owner", "json", With(d => Spec(d)["owners"] = JsonNode.Parse("""["<script>alert(1)</script>"]""")), "spec.owners[0]" },
        { "a 10 000-character display name", "json", With(d => Spec(d)["displayName"] = new string('x', 10_000)), "spec.displayName" },
        { "a billing contact that is not an e-mail", "json", With(d => Spec(d)["billing"] = JsonNode.Parse("""{"billingContact":"call me"}""")), "spec.billing.billingContact" },
        { "an invalid resource name", "json", With(d => d["metadata"]!["name"] = "Enterprise Customer"), "metadata.name" },
        { "an invalid label key", "json", With(d => d["metadata"]!["labels"] = JsonNode.Parse("""{"bad key!":"x"}""")), "metadata.labels.bad key!" },
        { "nested 100 deep", "json", "{\"spec\":" + string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 101), "$" },
        { "nested 33 deep (one over the limit)", "json", "{\"spec\":" + string.Concat(Enumerable.Repeat("[", 32)) + new string(']', 32) + "}", "$" },
        { "a duplicated top-level key", "json", Valid.Replace("\"kind\":\"Tenant\"", "\"kind\":\"Tenant\",\"kind\":\"Tenant\"", StringComparison.Ordinal), "kind" },
        { "a duplicated spec key (last one would win)", "json", Valid.Replace("\"tier\":\"premium\"", "\"tier\":\"free\",\"tier\":\"premium\"", StringComparison.Ordinal), "spec.tier" },
        { "a duplicated key in an array's object", "json", With(d => d["metadata"]!["managedFields"] = JsonNode.Parse("""[{"manager":"kubectl"},{"manager":"a"}]""")).Replace("\"manager\":\"a\"", "\"manager\":\"a\",\"manager\":\"b\"", StringComparison.Ordinal), "metadata.managedFields[1].manager" },
        { "YAML nested 33 deep (one over the limit)", "yaml", "spec: " + string.Concat(Enumerable.Repeat("[", 32)) + new string(']', 32) + "\n", "$" },
        { "YAML that does not parse", "yaml", "apiVersion: tenant.gocoffee.dev/v1\nspec: [unclosed", "$" },
        { "YAML aliases (billion laughs)", "yaml", "a: &a [\"lol\",\"lol\"]\nb: &b [*a,*a,*a]\nc: [*b,*b,*b]\n", "$" },
        { "YAML with a duplicate key", "yaml", "apiVersion: tenant.gocoffee.dev/v1\nkind: Tenant\nkind: Tenant\n", "$" },
        { "two YAML documents", "yaml", "kind: Tenant\n---\nkind: Tenant\n", "$" },
        { "YAML with a quoted number for namespaces", "yaml", "apiVersion: tenant.gocoffee.dev/v1\nkind: Tenant\nspec:\n  tenantId: hostile\n  tier: premium\n  resources:\n    namespaces: \"2\"\n    cpu: \"4\"\n    memory: 8Gi\n    storage: 50Gi\n", "spec.resources.namespaces" },
    };

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task Hostile_tenant_document_is_refused_with_a_problem_naming_the_field(string why, string format, string body, string field)
    {
        using var response = format == "yaml" ? await tenants.PostYaml(body) : await tenants.PostJson(body);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{why}: expected 400, got {(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = problem.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"{why}: no error for '{field}' in {errors}");
    }

    [Theory]
    [InlineData("yaml", "POST")]
    [InlineData("json", "POST")]
    [InlineData("yaml", "PATCH")]
    [InlineData("json", "PATCH")]
    public async Task A_document_nested_deeper_than_the_limit_is_refused_naming_the_max_depth_while_the_limit_itself_is_read(string format, string method)
    {
        static string Nested(int depth) => new string('[', depth) + new string(']', depth);
        var tooDeep = format == "yaml" ? $"spec: {Nested(ResourceDocument.MaxDepth)}\n" : $"{{\"spec\":{Nested(ResourceDocument.MaxDepth)}}}";
        var deepest = format == "yaml" ? $"spec: {Nested(ResourceDocument.MaxDepth - 1)}\n" : $"{{\"spec\":{Nested(ResourceDocument.MaxDepth - 1)}}}";

        using var refused = await Send(method, format, tooDeep);
        var problem = await TenantApiTests.AssertProblem(refused, HttpStatusCode.BadRequest, "$");
        Assert.Contains($"max depth {ResourceDocument.MaxDepth}", problem, StringComparison.Ordinal);

        // At the limit the document is read: what it holds is then wrong for other reasons, none of them its depth.
        using var read = await Send(method, format, deepest);
        var answer = await read.Content.ReadAsStringAsync();
        Assert.DoesNotContain("max depth", answer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"tier":"free","tier":"enterprise"}""", "tier")]
    [InlineData("""{"displayName":"x","resources":{"cpu":"1","cpu":"64"}}""", "resources.cpu")]
    public async Task A_change_with_a_duplicated_key_is_refused_naming_it(string body, string field)
    {
        using var response = await Send("PATCH", "json", body);

        var problem = await TenantApiTests.AssertProblem(response, HttpStatusCode.BadRequest, field);
        Assert.Contains("more than once", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_typed_request_body_with_a_duplicated_key_is_refused_naming_it()
    {
        using var body = new StringContent("""{"holder":"aiworkload/a","cpu":"1","cpu":"64"}""", System.Text.Encoding.UTF8, "application/json");
        using var response = await tenants.Client.PostAsync("/api/tenants/hostile/quota/reservations", body);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("'cpu'", JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> Send(string method, string format, string body)
    {
        if (method == "POST")
        {
            return format == "yaml" ? tenants.PostYaml(body) : tenants.PostJson(body);
        }

        var request = new HttpRequestMessage(HttpMethod.Patch, "/api/tenants/hostile")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, format == "yaml" ? "application/yaml" : "application/merge-patch+json"),
        };
        return tenants.Client.SendAsync(request);
    }

    [Fact]
    public async Task Refused_documents_create_nothing()
    {
        foreach (var document in Documents())
        {
            using var _ = document[1] as string == "yaml" ? await tenants.PostYaml((string)document[2]) : await tenants.PostJson((string)document[2]);
        }

        using var list = JsonDocument.Parse(await tenants.Client.GetStringAsync("/api/tenants"));
        Assert.Equal(0, list.RootElement.GetProperty("total").GetInt32());
    }

    private static string With(Action<JsonObject> change)
    {
        var document = JsonNode.Parse(Valid)!.AsObject();
        change(document);
        return document.ToJsonString();
    }

    private static JsonObject Spec(JsonObject document) => document["spec"]!.AsObject();

    private static JsonObject Resources(JsonObject document) => Spec(document)["resources"]!.AsObject();
}
