using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

/// <summary>The legacy discovery documents kubectl and clients read: <c>/version</c>, <c>/api</c>, <c>/apis</c> and per group/version resource lists.</summary>
internal static class Discovery
{
    private static readonly string[] AllVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
    private static readonly string[] SubresourceVerbs = ["get", "patch", "update"];

    public static JsonObject Version(string kubernetesVersion)
    {
        var parts = kubernetesVersion.Split('.');
        return new JsonObject
        {
            ["major"] = parts[0],
            ["minor"] = parts.Length > 1 ? parts[1] : "0",
            ["gitVersion"] = $"v{kubernetesVersion}.0-fake",
            ["gitCommit"] = "0000000000000000000000000000000000000000",
            ["gitTreeState"] = "clean",
            ["buildDate"] = "2025-01-01T00:00:00Z",
            ["goVersion"] = "go1.23.0",
            ["compiler"] = "gc",
            ["platform"] = "linux/amd64",
        };
    }

    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public static JsonObject Groups(ResourceRegistry registry) => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray([.. registry.Groups().Select(g => (JsonNode)Group(g.Group, g.Versions))]),
    };

    public static JsonObject? Group(ResourceRegistry registry, string name)
    {
        var group = registry.Groups().FirstOrDefault(g => g.Group == name);
        if (group.Group is null) return null;
        var document = Group(group.Group, group.Versions);
        document["kind"] = "APIGroup";
        document["apiVersion"] = "v1";
        return document;
    }

    public static JsonObject? Resources(ResourceRegistry registry, string group, string version)
    {
        var resources = registry.All.Where(r => r.Group == group && r.Version == version).ToList();
        if (resources.Count == 0) return null;
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = new JsonArray([.. resources.SelectMany(Entries)]),
        };
    }

    private static JsonObject Group(string name, IReadOnlyList<string> versions)
    {
        JsonObject Entry(string version) => new() { ["groupVersion"] = $"{name}/{version}", ["version"] = version };
        return new JsonObject
        {
            ["name"] = name,
            ["versions"] = new JsonArray([.. versions.Select(v => (JsonNode)Entry(v))]),
            ["preferredVersion"] = Entry(versions[0]),
        };
    }

    private static IEnumerable<JsonNode> Entries(ResourceDefinition resource)
    {
        var main = new JsonObject
        {
            ["name"] = resource.Plural,
            ["singularName"] = resource.Singular,
            ["namespaced"] = resource.Namespaced,
            ["kind"] = resource.Kind,
            ["verbs"] = Strings(AllVerbs),
        };
        if (resource.ShortNames.Count > 0) main["shortNames"] = Strings(resource.ShortNames);
        if (resource.Categories.Count > 0) main["categories"] = Strings(resource.Categories);
        yield return main;

        if (resource.HasStatus)
        {
            yield return new JsonObject
            {
                ["name"] = $"{resource.Plural}/status",
                ["singularName"] = "",
                ["namespaced"] = resource.Namespaced,
                ["kind"] = resource.Kind,
                ["verbs"] = Strings(SubresourceVerbs),
            };
        }
        if (resource.Scale is not null)
        {
            yield return new JsonObject
            {
                ["name"] = $"{resource.Plural}/scale",
                ["singularName"] = "",
                ["namespaced"] = resource.Namespaced,
                ["group"] = "autoscaling",
                ["version"] = "v1",
                ["kind"] = "Scale",
                ["verbs"] = Strings(SubresourceVerbs),
            };
        }
    }

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)v)]);
}
