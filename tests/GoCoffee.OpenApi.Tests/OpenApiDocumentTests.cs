using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.Testing;
using Xunit.Abstractions;

namespace GoCoffee.OpenApi.Tests;

/// <summary>
/// Every process's real OpenAPI document, served by the running process and by the gateway, passes the real linter
/// (<c>redocly lint --extends recommended</c>: no error, no warning but the allowed ones) and generates a typed client
/// (<c>openapi-typescript</c>); every operation has an id, a success response with its schema and its problems.
/// </summary>
public sealed class OpenApiDocumentTests(OpenApiPlatform platform, ITestOutputHelper output) : IClassFixture<OpenApiPlatform>
{
    /// <summary>The platform publishes no licence in its documents; every other recommended rule must pass.</summary>
    private static readonly HashSet<string> AllowedWarnings = ["info-license"];

    public static TheoryData<string> Services => ServiceProjects.Names;

    /// <summary>Gateway routes that publish a document (metadata <c>OpenApi</c>), from the gateway's own configuration.</summary>
    public static TheoryData<string> GatewayDocuments
    {
        get
        {
            using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(ServiceProjects.RepositoryRoot, "gateway", "GoCoffee.Gateway", "appsettings.json")));
            return [.. settings.RootElement.GetProperty("ReverseProxy").GetProperty("Routes").EnumerateObject()
                .Select(route => route.Value.TryGetProperty("Metadata", out var metadata) && metadata.TryGetProperty("OpenApi", out var path) ? path.GetString() : null)
                .OfType<string>()];
        }
    }

    [Fact]
    public void Every_web_project_on_the_service_defaults_is_found_and_built_by_this_test_project()
    {
        var projects = ServiceProjects.All;
        output.WriteLine(string.Join(Environment.NewLine, projects.Select(p => $"{p.Name}: {p.Project} ({p.DocumentPath})")));
        Assert.Contains(projects, project => project.Name == "tenant");
        Assert.Contains(projects, project => project.Project == "gateway/GoCoffee.Gateway");
        Assert.True(projects.Count >= 7, $"found only {projects.Count} projects");
        var csproj = File.ReadAllText(Path.Combine(ServiceProjects.RepositoryRoot, "tests", "GoCoffee.OpenApi.Tests", "GoCoffee.OpenApi.Tests.csproj"));
        foreach (var project in projects)
        {
            Assert.True(
                csproj.Contains($"../../{project.Project}/{project.AssemblyName}.csproj", StringComparison.Ordinal),
                $"{project.Project} serves an OpenAPI document but GoCoffee.OpenApi.Tests.csproj does not reference it: add it (ReferenceOutputAssembly=false).");
        }
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Service_document_lints_clean_and_generates_a_typed_client(string name)
    {
        var project = ServiceProjects.Named(name);
        var (document, file) = await platform.Document(platform.AddressOf(name), project.DocumentPath, $"{name}.json");
        await AssertLintsAndGenerates(name, document, file);
        Assert.Equal("/", document.GetProperty("servers")[0].GetProperty("url").GetString());
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        var expected = project == platform.Gateway ? new[] { "ApiKey", "Bearer" } : ["InternalToken"];
        Assert.Equal(expected.Order(), schemes.EnumerateObject().Select(scheme => scheme.Name).Order());
    }

    [Theory]
    [MemberData(nameof(GatewayDocuments))]
    public async Task Document_served_by_the_gateway_names_the_gateways_credentials_and_lints_clean(string path)
    {
        var service = ServiceProjects.All.Single(project => project.DocumentPath == path);
        var (document, file) = await platform.Document(platform.AddressOf(platform.Gateway.Name), path, $"gateway-{service.Name}.json");
        var (direct, _) = await platform.Document(platform.AddressOf(service.Name), path, $"direct-{service.Name}.json");

        await AssertLintsAndGenerates($"{service.Name} via the gateway", document, file);
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal(["ApiKey", "Bearer"], schemes.EnumerateObject().Select(scheme => scheme.Name).Order());
        Assert.Equal("apiKey", schemes.GetProperty("ApiKey").GetProperty("type").GetString());
        Assert.Equal("X-Api-Key", schemes.GetProperty("ApiKey").GetProperty("name").GetString());
        Assert.Equal("bearer", schemes.GetProperty("Bearer").GetProperty("scheme").GetString());
        Assert.Equal(["ApiKey", "Bearer"], document.GetProperty("security").EnumerateArray().SelectMany(requirement => requirement.EnumerateObject().Select(p => p.Name)).Order());
        Assert.DoesNotContain("InternalToken", document.GetRawText(), StringComparison.Ordinal);
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(direct.GetProperty("paths").GetRawText()), JsonNode.Parse(document.GetProperty("paths").GetRawText())),
            $"{service.Name}: the gateway changed the operations of the service's document");
    }

    [Fact]
    public async Task Tenant_document_gives_every_operation_an_id_its_real_statuses_with_schemas_and_enums()
    {
        var (document, file) = await platform.Document(platform.AddressOf("tenant"), "/api/tenants/openapi/v1.json", "tenant-detail.json");
        var operations = Operations(document).ToDictionary(o => o.Id, o => o.Operation);
        Assert.Equal(
            [
                "cancelTenantDeletion", "changeTenant", "commitTenantQuotaReservation", "createTenant", "deleteTenant", "getTenant", "getTenantDeletionPlan",
                "getTenantQuota", "issueTenantApiKey", "listTenantApiKeys", "listTenantAudit", "listTenants", "releaseTenantQuotaReservation",
                "reserveTenantQuota", "resumeTenant", "revokeTenantApiKey", "rotateTenantApiKey", "suspendTenant",
            ],
            operations.Keys.Order(StringComparer.Ordinal));

        var create = operations["createTenant"];
        Assert.Equal("#/components/schemas/TenantCreatedResponse", Schema(create, "202", "application/json"));
        Assert.True(create.GetProperty("responses").GetProperty("202").GetProperty("headers").TryGetProperty("Location", out _));
        Assert.True(create.GetProperty("responses").GetProperty("202").GetProperty("headers").TryGetProperty("Idempotency-Replayed", out _));
        Assert.False(create.GetProperty("responses").TryGetProperty("200", out _), "a replayed create answers 202, as the first one did");
        Assert.Equal("#/components/schemas/HttpValidationProblemDetails", Schema(create, "400", "application/problem+json"));
        foreach (var status in new[] { "401", "403", "409", "413", "429", "500" })
        {
            Assert.Equal("#/components/schemas/ProblemDetails", Schema(create, status, "application/problem+json"));
        }

        Assert.Contains(create.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "Idempotency-Key" && p.GetProperty("in").GetString() == "header");
        var change = operations["changeTenant"];
        Assert.Equal("#/components/schemas/TenantResource", Schema(change, "202", "application/json"));
        foreach (var status in new[] { "404", "409", "412", "413" })
        {
            Assert.Equal("#/components/schemas/ProblemDetails", Schema(change, status, "application/problem+json"));
        }

        Assert.Contains(change.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "If-Match");
        Assert.Equal("#/components/schemas/TenantResource", Schema(operations["getTenant"], "200", "application/json"));
        Assert.Equal("#/components/schemas/ProblemDetails", Schema(operations["getTenant"], "404", "application/problem+json"));
        Assert.Equal("#/components/schemas/ReservationView", Schema(operations["reserveTenantQuota"], "201", "application/json"));
        Assert.Equal("#/components/schemas/IssuedApiKey", Schema(operations["issueTenantApiKey"], "201", "application/json"));
        Assert.Equal("#/components/schemas/DeletionPlanView", Schema(operations["getTenantDeletionPlan"], "200", "application/json"));

        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.Equal(["free", "basic", "premium", "enterprise"], Enum(schemas, "TenantSpec", "tier"));
        Assert.Equal(["Pending", "Provisioning", "Active", "Suspended", "Terminating", "Deleted", "Failed"], Enum(schemas, "TenantStatus", "phase"));
        Assert.Equal(["soft", "hard", "strict"], Enum(schemas, "TenantIsolation", "level"));
        Assert.Equal(["free", "basic", "premium", "enterprise"], Enum(schemas, "TenantSummary", "tier"));
        Assert.Equal(["Pending", "Active", "Revoked"], Enum(schemas, "ApiKeyView", "status"));

        var client = await OpenApiTools.GenerateTypeScript(file);
        Assert.Contains("tier?: \"free\" | \"basic\" | \"premium\" | \"enterprise\";", client, StringComparison.Ordinal);
        Assert.Contains("phase: \"Pending\" | \"Provisioning\" | \"Active\" | \"Suspended\" | \"Terminating\" | \"Deleted\" | \"Failed\";", client, StringComparison.Ordinal);
        Assert.Contains("createTenant: {", client, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tenant_document_example_is_the_repositorys_enterprise_tenant_and_the_service_accepts_it()
    {
        var (document, _) = await platform.Document(platform.AddressOf("tenant"), "/api/tenants/openapi/v1.json", "tenant-example.json");
        var content = Operations(document).Single(o => o.Id == "createTenant").Operation.GetProperty("requestBody").GetProperty("content");
        var example = content.GetProperty("application/json").GetProperty("example");
        Assert.Equal(example.GetRawText(), content.GetProperty("application/yaml").GetProperty("example").GetRawText());

        // The example is the repository's file, field for field.
        var yaml = await File.ReadAllTextAsync(Path.Combine(ServiceProjects.RepositoryRoot, "examples", "tenant-enterprise-customer-1.yaml"));
        Assert.Equal("enterprise-customer-1", example.GetProperty("metadata").GetProperty("name").GetString());
        var spec = example.GetProperty("spec");
        Assert.Equal("ent-customer-1", spec.GetProperty("tenantId").GetString());
        Assert.Contains("tenantId: ent-customer-1", yaml, StringComparison.Ordinal);
        Assert.Equal("enterprise", spec.GetProperty("tier").GetString());
        Assert.Equal(5, spec.GetProperty("resources").GetProperty("namespaces").GetInt32());
        Assert.Equal("40Gi", spec.GetProperty("resources").GetProperty("memory").GetString());
        Assert.Equal(4, spec.GetProperty("services").GetProperty("ai").GetProperty("gpuQuota").GetInt32());
        Assert.Equal(["ethereum", "polygon"], spec.GetProperty("services").GetProperty("web3").GetProperty("networks").EnumerateArray().Select(n => n.GetString()));

        // Sent through the gateway as an operator would, the example is accepted (202) and a repeat is the documented 409 problem.
        var gateway = platform.AddressOf(platform.Gateway.Name);
        using var first = await Send(gateway, example.GetRawText());
        Assert.True(first.StatusCode == HttpStatusCode.Accepted, $"{(int)first.StatusCode}: {await first.Content.ReadAsStringAsync()}{Environment.NewLine}{platform.Diagnostics("tenant")}");
        using var created = JsonDocument.Parse(await first.Content.ReadAsStringAsync());
        Assert.True(created.RootElement.TryGetProperty("tenant", out _) && created.RootElement.TryGetProperty("apiKey", out _), created.RootElement.GetRawText());

        using var again = await Send(gateway, example.GetRawText());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
    }

    private async Task AssertLintsAndGenerates(string what, JsonElement document, string file)
    {
        var lint = await OpenApiTools.Lint(file);
        output.WriteLine($"{what}: {lint}");
        Assert.True(lint.ExitCode == 0 && lint.Errors == 0, $"{what}: {lint}");
        Assert.True(lint.Problems.All(problem => AllowedWarnings.Contains(problem.RuleId)), $"{what}: {lint}");
        Assert.StartsWith("3.1", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);

        var operations = Operations(document).ToList();
        Assert.Equal(operations.Count, operations.Select(o => o.Id).Distinct().Count());
        foreach (var (path, method, id, operation) in operations)
        {
            Assert.False(string.IsNullOrEmpty(id), $"{what}: {method} {path} has no operationId: name it with .WithName(\"verbNoun\")");
            var responses = operation.GetProperty("responses").EnumerateObject().ToList();
            Assert.Contains(responses, r => r.Name.StartsWith('2'));
            foreach (var response in responses.Where(r => r.Name[0] is '4' or '5'))
            {
                Assert.True(
                    response.Value.TryGetProperty("content", out var content) && content.TryGetProperty("application/problem+json", out _),
                    $"{what}: {id} answers {response.Name} without an application/problem+json body");
            }

            // An anonymous operation (a published schema, a provider's signed callback) says so with "security: []".
            var anonymous = operation.TryGetProperty("security", out var security) && security.GetArrayLength() == 0;
            foreach (var status in anonymous ? ["429", "500"] : new[] { "401", "403", "429", "500" })
            {
                Assert.True(responses.Any(r => r.Name == status), $"{what}: {id} does not document {status}");
            }
        }

        var client = await OpenApiTools.GenerateTypeScript(file);
        Assert.Matches("export (interface|type) paths", client);
        foreach (var (_, _, id, _) in operations)
        {
            Assert.Contains($"    {id}: {{", client, StringComparison.Ordinal);
        }

        output.WriteLine($"{what}: {operations.Count} operation(s), typed client of {client.Length} characters");
    }

    private async Task<HttpResponseMessage> Send(Uri gateway, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway, "/api/tenants"))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentTokens.PlatformAdmin("openapi-test"));
        return await TestInfrastructure.Eventually(
            async () =>
            {
                var response = await platform.Http.SendAsync(Clone(request));
                if (response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway)
                {
                    // The tenant service is live but not ready yet (its store and bus are still starting).
                    response.Dispose();
                    return null;
                }

                return response;
            },
            TimeSpan.FromSeconds(60),
            "the gateway forwards the create to a ready tenant service");
    }

    private static HttpRequestMessage Clone(HttpRequestMessage request)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri)
        {
            Content = new StringContent(request.Content!.ReadAsStringAsync().GetAwaiter().GetResult(), Encoding.UTF8, "application/json"),
        };
        copy.Headers.Authorization = request.Headers.Authorization;
        return copy;
    }

    private static IEnumerable<(string Path, string Method, string Id, JsonElement Operation)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()
            .Where(method => method.Name is "get" or "put" or "post" or "delete" or "patch" or "head" or "options")
            .Select(method => (path.Name, method.Name, method.Value.TryGetProperty("operationId", out var id) ? id.GetString() ?? string.Empty : string.Empty, method.Value)));

    private static string? Schema(JsonElement operation, string status, string mediaType) =>
        operation.GetProperty("responses").TryGetProperty(status, out var response)
        && response.TryGetProperty("content", out var content)
        && content.TryGetProperty(mediaType, out var media)
        && media.GetProperty("schema").TryGetProperty("$ref", out var reference)
            ? reference.GetString()
            : null;

    private static IEnumerable<string?> Enum(JsonElement schemas, string schema, string property) =>
        schemas.GetProperty(schema).GetProperty("properties").GetProperty(property).GetProperty("enum").EnumerateArray().Select(value => value.GetString());
}
