using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

/// <summary>
/// Storing an apiextensions.k8s.io/v1 CustomResourceDefinition serves its resource at once, as an API server does
/// once the CRD is Established; deleting the CRD withdraws it (and its objects).
/// </summary>
internal static class CrdRegistration
{
    /// <summary>Registers every served version and fills in the status a real server reports.</summary>
    public static void Accept(JsonObject crd, ResourceRegistry registry)
    {
        foreach (var resource in Definitions(crd)) registry.Add(resource);
        var names = crd["spec"]?["names"]?.DeepClone();
        var conditions = crd["status"]?["conditions"]?.DeepClone() ?? new JsonArray(
            Condition("NamesAccepted", "NoConflicts", "no conflicts found"),
            Condition("Established", "InitialNamesAccepted", "the initial names have been accepted"));
        crd["status"] = new JsonObject
        {
            ["acceptedNames"] = names,
            ["conditions"] = conditions,
            ["storedVersions"] = new JsonArray([.. Versions(crd).Where(v => v["storage"].AsBool() == true).Select(v => (JsonNode?)v.GetString("name"))]),
        };
    }

    /// <summary>Unregisters the CRD's resource; returns the storage key whose objects go with it.</summary>
    public static IReadOnlyList<ResourceKey> Withdraw(JsonObject crd, ResourceRegistry registry)
    {
        var keys = Definitions(crd).Select(r => r.Key).Distinct().ToList();
        foreach (var key in keys) registry.Remove(key.Group, key.Plural);
        return keys;
    }

    private static IEnumerable<ResourceDefinition> Definitions(JsonObject crd)
    {
        if (crd["spec"] is not JsonObject spec || spec["names"] is not JsonObject names) yield break;
        var group = spec.GetString("group") ?? "";
        var kind = names.GetString("kind") ?? "";
        var plural = names.GetString("plural") ?? kind.ToLowerInvariant() + "s";
        var namespaced = spec.GetString("scope") != "Cluster";
        foreach (var version in Versions(crd).Where(v => v["served"].AsBool() != false))
        {
            var subresources = version["subresources"] as JsonObject;
            var scale = subresources?["scale"] as JsonObject;
            yield return new ResourceDefinition(group, version.GetString("name") ?? "v1", kind, plural, namespaced)
            {
                Singular = names.GetString("singular") ?? kind.ToLowerInvariant(),
                ShortNames = Strings(names["shortNames"]),
                Categories = Strings(names["categories"]),
                HasStatus = subresources?["status"] is not null,
                Scale = scale is null ? null : new ScaleSubresource(
                    scale.GetString("specReplicasPath") ?? ".spec.replicas",
                    scale.GetString("statusReplicasPath") ?? ".status.replicas",
                    scale.GetString("labelSelectorPath")),
                ReturnDeletedObject = true,
                SupportsStrategicMerge = false,
            };
        }
    }

    private static IEnumerable<JsonObject> Versions(JsonObject crd) => (crd["spec"]?["versions"] as JsonArray ?? []).OfType<JsonObject>();

    private static string[] Strings(JsonNode? node) => [.. (node as JsonArray ?? []).Select(n => n.AsString() ?? "")];

    private static JsonObject Condition(string type, string reason, string message) => new()
    {
        ["type"] = type,
        ["status"] = "True",
        ["reason"] = reason,
        ["message"] = message,
        ["lastTransitionTime"] = ObjectMeta.Timestamp(DateTimeOffset.UtcNow),
    };
}
