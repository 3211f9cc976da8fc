using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

/// <summary>
/// A skeleton OpenAPI v3: the index of group/versions and, per group/version, each resource's PATCH operation with its
/// <c>x-kubernetes-group-version-kind</c> and the <c>fieldValidation</c> query parameter. That is what kubectl reads to
/// decide the server validates fields itself, so <c>kubectl apply</c>/<c>create -f</c> work without
/// <c>--validate=false</c>. No schemas are served: kubectl then builds strategic merge patches from its compiled-in types,
/// and <c>kubectl explain</c> has nothing to show. <c>/openapi/v2</c> is not served (404).
/// </summary>
internal static class OpenApi
{
    public static JsonObject Index(ResourceRegistry registry) => new()
    {
        ["paths"] = new JsonObject(registry.All
            .Select(r => GroupVersionPath(r.Group, r.Version))
            .Distinct()
            .Select(path => KeyValuePair.Create(path, (JsonNode?)new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{path}?hash=fake" }))),
    };

    /// <summary>The document of one group/version (<c>api/v1</c>, <c>apis/apps/v1</c>), or null.</summary>
    public static JsonObject? GroupVersion(ResourceRegistry registry, string path)
    {
        var resources = registry.All.Where(r => GroupVersionPath(r.Group, r.Version) == path).ToList();
        if (resources.Count == 0) return null;
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "fake" },
            ["paths"] = new JsonObject(resources.Select(r => KeyValuePair.Create(ObjectPath(r), (JsonNode?)PathItem(r)))),
        };
    }

    private static string GroupVersionPath(string group, string version) => group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";

    private static string ObjectPath(ResourceDefinition resource) =>
        $"/{GroupVersionPath(resource.Group, resource.Version)}/{(resource.Namespaced ? "namespaces/{namespace}/" : "")}{resource.Plural}/{{name}}";

    private static JsonObject PathItem(ResourceDefinition resource) => new()
    {
        ["patch"] = new JsonObject
        {
            ["operationId"] = $"patch{resource.Kind}",
            ["x-kubernetes-action"] = "patch",
            ["x-kubernetes-group-version-kind"] = new JsonObject
            {
                ["group"] = resource.Group,
                ["version"] = resource.Version,
                ["kind"] = resource.Kind,
            },
            ["parameters"] = new JsonArray(
                new JsonObject { ["name"] = "fieldValidation", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
                new JsonObject { ["name"] = "fieldManager", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
                new JsonObject { ["name"] = "dryRun", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
                new JsonObject { ["name"] = "force", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "boolean" } }),
            ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
        },
    };
}
