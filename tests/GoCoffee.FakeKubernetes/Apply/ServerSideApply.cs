using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

/// <summary>
/// Server-side apply (<c>application/apply-patch+yaml</c>) over <see cref="FieldSet"/> ownership:
/// applied fields are set and owned by the manager's Apply entry; fields it applied before and no longer applies are
/// removed unless someone else owns them; changing a value another manager owns is a 409 conflict unless forced.
/// Lists are owned and replaced as a whole (no merge keys).
/// </summary>
internal static class ServerSideApply
{
    public static JsonObject Merge(
        ResourceDefinition resource, JsonObject? current, JsonObject applied, string manager, bool force, string? subresource, string time)
    {
        var scoped = Scope(resource, applied, subresource);
        var appliedFields = FieldSet.Of(scoped);
        var result = current is null ? Skeleton(applied) : (JsonObject)current.DeepClone();
        var entries = ManagedFields.Read(current);
        var mine = entries.FindIndex(e => e.IsSameOwner(manager, "Apply", subresource));

        var conflicts = Conflicts(result, scoped, appliedFields, entries, mine);
        if (conflicts.Count > 0 && !force) throw new ApiException(ConflictFailure(resource, applied.Name(), conflicts));
        foreach (var (path, owner) in conflicts) owner.Fields.Remove(path);

        if (mine >= 0)
        {
            foreach (var path in entries[mine].Fields.Paths.Where(p => !appliedFields.Contains(p)).ToList())
            {
                if (!entries.Where((e, i) => i != mine && e.Fields.Contains(path)).Any()) JsonPath.Remove(result, FieldSet.Segments(path));
            }
        }
        foreach (var path in appliedFields.Paths)
        {
            var segments = FieldSet.Segments(path);
            JsonPath.Set(result, segments, JsonPath.Get(scoped, segments)?.DeepClone());
        }

        var apiVersion = applied.GetString("apiVersion") ?? resource.ApiVersion;
        var unchanged = mine >= 0 && entries[mine].Fields.SetEquals(appliedFields) && entries[mine].ApiVersion == apiVersion;
        var entry = new ManagedFieldsEntry(manager, "Apply", subresource, apiVersion, unchanged ? entries[mine].Time : time, appliedFields);
        if (mine >= 0) entries[mine] = entry;
        else entries.Add(entry);
        ManagedFields.Write(result, entries);
        return result;
    }

    /// <summary>What an apply may set: no status through the main resource, only status through /status.</summary>
    private static JsonObject Scope(ResourceDefinition resource, JsonObject applied, string? subresource)
    {
        if (!resource.HasStatus) return applied;
        var scoped = (JsonObject)applied.DeepClone();
        if (subresource == "status")
        {
            foreach (var key in scoped.Select(p => p.Key).Where(k => k is not ("status" or "apiVersion" or "kind" or "metadata")).ToList()) scoped.Remove(key);
            if (scoped["metadata"] is JsonObject metadata)
            {
                foreach (var key in metadata.Select(p => p.Key).Where(k => k is not ("name" or "namespace")).ToList()) metadata.Remove(key);
            }
        }
        else
        {
            scoped.Remove("status");
        }
        return scoped;
    }

    private static List<(string Path, ManagedFieldsEntry Owner)> Conflicts(
        JsonObject live, JsonObject applied, FieldSet appliedFields, List<ManagedFieldsEntry> entries, int mine)
    {
        var conflicts = new List<(string, ManagedFieldsEntry)>();
        foreach (var path in appliedFields.Paths)
        {
            var segments = FieldSet.Segments(path);
            if (!JsonPath.Exists(live, segments) || JsonNode.DeepEquals(JsonPath.Get(live, segments), JsonPath.Get(applied, segments))) continue;
            conflicts.AddRange(entries.Where((e, i) => i != mine && e.Fields.Contains(path)).Select(e => (path, e)));
        }
        return conflicts;
    }

    private static FakeFailure ConflictFailure(ResourceDefinition resource, string name, List<(string Path, ManagedFieldsEntry Owner)> conflicts)
    {
        var causes = conflicts
            .Select(c => new FakeFailureCause("FieldManagerConflict", $"conflict with \"{c.Owner.Manager}\"{Using(c.Owner)}", FieldSet.Display(c.Path)))
            .ToArray();
        var message = causes.Length == 1
            ? $"Apply failed with 1 conflict: {causes[0].Message}: {causes[0].Field}"
            : $"Apply failed with {causes.Length} conflicts: " + string.Join("\n", causes.Select(c => $"{c.Message}: {c.Field}"));
        return new FakeFailure(409, "Conflict", message) { Name = name, Group = resource.Group.Length == 0 ? null : resource.Group, Kind = resource.Plural, Causes = causes };
    }

    private static string Using(ManagedFieldsEntry owner) =>
        owner.Operation == "Apply" ? "" : $" using {owner.ApiVersion}";

    private static JsonObject Skeleton(JsonObject applied)
    {
        var metadata = new JsonObject { ["name"] = applied.Name() };
        if (applied.MetaString("namespace") is { } ns) metadata["namespace"] = ns;
        return new JsonObject
        {
            ["apiVersion"] = applied["apiVersion"]?.DeepClone(),
            ["kind"] = applied["kind"]?.DeepClone(),
            ["metadata"] = metadata,
        };
    }
}
