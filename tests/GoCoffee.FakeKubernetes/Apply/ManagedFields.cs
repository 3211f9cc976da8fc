using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

/// <summary>One <c>metadata.managedFields</c> entry.</summary>
internal sealed record ManagedFieldsEntry(string Manager, string Operation, string? Subresource, string ApiVersion, string Time, FieldSet Fields)
{
    public bool IsSameOwner(string manager, string operation, string? subresource) =>
        Manager == manager && Operation == operation && Subresource == subresource;

    public JsonObject ToJson()
    {
        var entry = new JsonObject
        {
            ["manager"] = Manager,
            ["operation"] = Operation,
            ["apiVersion"] = ApiVersion,
            ["time"] = Time,
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = Fields.ToFieldsV1(),
        };
        if (Subresource is not null) entry["subresource"] = Subresource;
        return entry;
    }
}

/// <summary>Reads and maintains <c>metadata.managedFields</c>.</summary>
internal static class ManagedFields
{
    public static List<ManagedFieldsEntry> Read(JsonObject? obj)
    {
        if (obj?["metadata"] is not JsonObject metadata || metadata["managedFields"] is not JsonArray entries) return [];
        return [.. entries.OfType<JsonObject>().Select(e => new ManagedFieldsEntry(
            e.GetString("manager") ?? "",
            e.GetString("operation") ?? "Update",
            e.GetString("subresource"),
            e.GetString("apiVersion") ?? "",
            e.GetString("time") ?? "",
            FieldSet.FromFieldsV1(e["fieldsV1"] as JsonObject)))];
    }

    public static void Write(JsonObject obj, IEnumerable<ManagedFieldsEntry> entries)
    {
        var kept = entries.Where(e => e.Fields.Count > 0).Select(e => (JsonNode)e.ToJson()).ToArray();
        if (kept.Length == 0) obj.Metadata().Remove("managedFields");
        else obj.Metadata()["managedFields"] = new JsonArray(kept);
    }

    /// <summary>
    /// The entries a client write starts from: the stored ones, unless the request changed <c>managedFields</c> itself —
    /// the API server honours that (<c>[{}]</c> clears them), which is how ownership is reset or migrated.
    /// </summary>
    public static List<ManagedFieldsEntry> Baseline(JsonObject? stored, JsonObject incoming)
    {
        var sent = incoming["metadata"]?["managedFields"];
        var live = stored?["metadata"]?["managedFields"];
        return sent is null || JsonNode.DeepEquals(sent, live) ? Read(stored) : Read(incoming);
    }

    /// <summary>
    /// An Update-operation write (create, PUT, non-apply PATCH): the fields it changed move to <paramref name="manager"/>;
    /// fields it removed are owned by nobody. A write that changes nothing leaves the entries (and their times) alone.
    /// </summary>
    public static void RecordUpdate(
        List<ManagedFieldsEntry> entries, JsonObject? before, JsonObject after, string manager, string? subresource, string time, bool hasStatus)
    {
        var (changed, removed) = FieldSet.Diff(before ?? [], after);
        if (hasStatus)
        {
            var statusWrite = subresource == "status";
            changed = changed.Only(p => FieldSet.IsStatus(p) == statusWrite);
        }
        if (changed.Count == 0 && removed.Count == 0)
        {
            Write(after, entries);
            return;
        }

        foreach (var entry in entries)
        {
            foreach (var path in changed.Paths.Concat(removed.Paths)) entry.Fields.Remove(path);
        }
        var apiVersion = after.GetString("apiVersion") ?? "";
        var own = entries.FindIndex(e => e.IsSameOwner(manager, "Update", subresource));
        if (own >= 0)
        {
            var fields = entries[own].Fields;
            foreach (var path in changed.Paths) fields.Add(path);
            entries[own] = entries[own] with { Time = time, ApiVersion = apiVersion };
        }
        else if (changed.Count > 0)
        {
            entries.Add(new ManagedFieldsEntry(manager, "Update", subresource, apiVersion, time, changed));
        }
        Write(after, entries);
    }
}
