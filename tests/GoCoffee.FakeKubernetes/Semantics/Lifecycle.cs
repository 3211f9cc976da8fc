using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

/// <summary>What the API server does to an object on its way into storage: identity, generation, status rules, defaults, validation.</summary>
internal static class Lifecycle
{
    private static readonly string[] ServerOwnedMetadata =
        ["name", "namespace", "uid", "creationTimestamp", "generation", "deletionTimestamp", "deletionGracePeriodSeconds", "resourceVersion"];

    public static void PrepareCreate(ResourceDefinition resource, JsonObject obj, WriteContext context)
    {
        var metadata = obj.Metadata();
        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = context.Time;
        metadata["generation"] = 1;
        foreach (var key in new[] { "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink" }) metadata.Remove(key);
        if (!resource.Namespaced) metadata.Remove("namespace");
        if (resource.HasStatus && context.Mode == WriteMode.Client) obj.Remove("status");

        Defaults.Apply(resource, obj);
        Validation.Validate(resource, obj);
        if (context.Mode == WriteMode.Client)
        {
            var entries = ManagedFields.Baseline(null, obj);
            ManagedFields.RecordUpdate(entries, null, obj, context.Manager, context.Subresource, context.Time, resource.HasStatus);
        }
    }

    /// <summary>
    /// What a client's PUT/PATCH body means for a resource with a status subresource: the main resource keeps the
    /// stored status; <c>/status</c> changes only the status.
    /// </summary>
    public static JsonObject Compose(ResourceDefinition resource, JsonObject stored, JsonObject body, string? subresource)
    {
        if (!resource.HasStatus) return body;
        if (subresource == "status")
        {
            var result = (JsonObject)stored.DeepClone();
            SetOrRemove(result, "status", body["status"]);
            if (body["metadata"] is JsonObject { } bodyMeta && bodyMeta["resourceVersion"] is { } rv) result.Metadata()["resourceVersion"] = rv.DeepClone();
            return result;
        }
        SetOrRemove(body, "status", stored["status"]);
        return body;
    }

    /// <summary>
    /// Finishes an update of <paramref name="stored"/> to <paramref name="proposed"/>; returns null when nothing
    /// changed (so no new resourceVersion is written, as the real server skips no-op writes).
    /// </summary>
    public static JsonObject? PrepareUpdate(ResourceDefinition resource, StoredObject stored, JsonObject proposed, WriteContext context)
    {
        var before = stored.Node;
        var metadata = proposed.Metadata();
        var beforeMeta = before.Metadata();
        foreach (var key in ServerOwnedMetadata)
        {
            if (beforeMeta[key] is { } value) metadata[key] = value.DeepClone();
            else metadata.Remove(key);
        }
        metadata.Remove("selfLink");
        var entries = context.Mode == WriteMode.Client ? ManagedFields.Baseline(before, proposed) : null;

        Defaults.Apply(resource, proposed);
        Validation.Validate(resource, proposed);
        if (!SameSpec(resource, before, proposed)) metadata["generation"] = (before.Metadata()["generation"].AsLong() ?? 0) + 1;
        if (entries is not null)
        {
            ManagedFields.RecordUpdate(entries, before, proposed, context.Manager, context.Subresource, context.Time, resource.HasStatus);
        }
        return JsonNode.DeepEquals(before, proposed) ? null : proposed;
    }

    /// <summary>Whether everything but metadata (and status, when it is a subresource) is unchanged: generation stays.</summary>
    private static bool SameSpec(ResourceDefinition resource, JsonObject before, JsonObject after)
    {
        var keys = before.Select(p => p.Key).Union(after.Select(p => p.Key));
        return keys
            .Where(k => k is not ("metadata" or "apiVersion" or "kind") && !(resource.HasStatus && k == "status"))
            .All(k => JsonNode.DeepEquals(before[k], after[k]));
    }

    private static void SetOrRemove(JsonObject target, string key, JsonNode? value)
    {
        if (value is null) target.Remove(key);
        else target[key] = value.DeepClone();
    }
}
