using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

/// <summary>
/// Strategic merge patch without the Go type schema: a merge patch that also honours the directives kubectl sends —
/// <c>$patch: replace|delete</c> on maps, <c>$retainKeys</c>, <c>$deleteFromPrimitiveList/x</c>, and
/// <c>$setElementOrder/x</c>, whose entries name the merge key so list <c>x</c> is merged item by item
/// (items carrying <c>$patch: delete</c> are removed). Lists sent without <c>$setElementOrder</c> replace the old list.
/// </summary>
internal static class StrategicMergePatch
{
    private const string OrderPrefix = "$setElementOrder/";
    private const string DeletePrefix = "$deleteFromPrimitiveList/";

    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject) return patch?.DeepClone();
        var directive = patchObject["$patch"].AsString();
        if (directive == "delete") return null;
        if (directive == "replace") return WithoutDirectives(patchObject);

        var result = target as JsonObject ?? [];
        if (patchObject["$retainKeys"] is JsonArray retain)
        {
            var keep = retain.Select(k => k.AsString()).ToHashSet();
            foreach (var key in result.Select(p => p.Key).Where(k => !keep.Contains(k)).ToList()) result.Remove(key);
        }

        foreach (var (key, value) in patchObject)
        {
            if (key.StartsWith('$'))
            {
                if (key.StartsWith(DeletePrefix, StringComparison.Ordinal)) DeleteFromList(result, key[DeletePrefix.Length..], value);
                continue;
            }
            if (value is null)
            {
                result.Remove(key);
                continue;
            }
            var existing = result[key];
            JsonNode? merged = value is JsonArray items && patchObject[OrderPrefix + key] is JsonArray order && MergeKey(order) is { } mergeKey
                ? MergeList(existing as JsonArray, items, order, mergeKey)
                : Apply(existing, value);
            if (merged is null) result.Remove(key);
            else if (!ReferenceEquals(merged, existing)) result[key] = merged;
        }
        foreach (var (key, value) in patchObject.Where(p => p.Key.StartsWith(OrderPrefix, StringComparison.Ordinal)).ToList())
        {
            var field = key[OrderPrefix.Length..];
            if (!patchObject.ContainsKey(field) && result[field] is JsonArray list && value is JsonArray order && MergeKey(order) is { } mergeKey)
            {
                result[field] = MergeList(list, [], order, mergeKey);
            }
        }
        return result;
    }

    private static JsonArray MergeList(JsonArray? current, JsonArray patchItems, JsonArray order, string mergeKey)
    {
        var merged = (current ?? []).Select(i => i?.DeepClone()).ToList();
        foreach (var item in patchItems.OfType<JsonObject>())
        {
            var key = item[mergeKey];
            var at = merged.FindIndex(m => m is JsonObject o && JsonNode.DeepEquals(o[mergeKey], key));
            if (item["$patch"].AsString() == "delete")
            {
                if (at >= 0) merged.RemoveAt(at);
                continue;
            }
            if (at >= 0) merged[at] = Apply(merged[at], item);
            else merged.Add(WithoutDirectives(item));
        }
        var ranks = order.OfType<JsonObject>().Select(o => o[mergeKey]?.ToJsonString()).ToList();
        var sorted = merged
            .Select((item, index) => (item, index, rank: ranks.IndexOf((item as JsonObject)?[mergeKey]?.ToJsonString())))
            .OrderBy(x => x.rank < 0 ? int.MaxValue : x.rank)
            .ThenBy(x => x.index)
            .Select(x => x.item);
        return new JsonArray([.. sorted]);
    }

    private static string? MergeKey(JsonArray order) =>
        order.OfType<JsonObject>().FirstOrDefault()?.Select(p => p.Key).FirstOrDefault(k => !k.StartsWith('$'));

    private static void DeleteFromList(JsonObject target, string field, JsonNode? values)
    {
        if (target[field] is not JsonArray list || values is not JsonArray remove) return;
        var kept = list.Where(i => !remove.Any(r => JsonNode.DeepEquals(r, i))).Select(i => i?.DeepClone()).ToArray();
        target[field] = new JsonArray(kept);
    }

    private static JsonObject WithoutDirectives(JsonObject obj)
    {
        var clean = new JsonObject();
        foreach (var (key, value) in obj)
        {
            if (key.StartsWith('$')) continue;
            clean[key] = value is JsonObject child ? WithoutDirectives(child) : value?.DeepClone();
        }
        return clean;
    }
}
