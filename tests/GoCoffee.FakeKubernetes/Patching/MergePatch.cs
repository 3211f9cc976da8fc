using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

/// <summary>JSON merge patch (RFC 7386): objects merge recursively, <c>null</c> deletes, anything else replaces.</summary>
internal static class MergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject) return patch?.DeepClone();
        var result = target as JsonObject ?? [];
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
                continue;
            }
            var existing = result[key];
            var merged = Apply(existing, value);
            if (!ReferenceEquals(merged, existing)) result[key] = merged;
        }
        return result;
    }
}
