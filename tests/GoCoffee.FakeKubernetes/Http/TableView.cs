using System.Globalization;
using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

/// <summary>
/// Server-side printing (<c>Accept: application/json;as=Table;g=meta.k8s.io;v=v1</c>), which <c>kubectl get</c>
/// asks for: Name and Age columns (plus Status for namespaces), with partial object metadata per row.
/// </summary>
internal static class TableView
{
    public static bool Wanted(string? accept) => accept is not null && accept.Contains("as=Table", StringComparison.Ordinal);

    public static JsonObject FromList(ResourceDefinition resource, JsonObject list, string? includeObject, DateTimeOffset now)
    {
        var table = Table(resource, list["metadata"]?.DeepClone() as JsonObject ?? []);
        var rows = (JsonArray)table["rows"]!;
        foreach (var item in (list["items"] as JsonArray ?? []).OfType<JsonObject>()) rows.Add(Row(resource, item, includeObject, now));
        return table;
    }

    public static JsonObject FromObject(ResourceDefinition resource, JsonObject obj, string? includeObject, DateTimeOffset now)
    {
        var table = Table(resource, new JsonObject { ["resourceVersion"] = obj.MetaString("resourceVersion") });
        ((JsonArray)table["rows"]!).Add(Row(resource, obj, includeObject, now));
        return table;
    }

    private static JsonObject Table(ResourceDefinition resource, JsonObject metadata)
    {
        var columns = new JsonArray(Column("Name", "string", "name", "Name must be unique within a namespace."));
        if (IsNamespace(resource)) columns.Add(Column("Status", "string", "", "The status of the namespace"));
        columns.Add(Column("Age", "string", "", "CreationTimestamp is a timestamp representing the server time when this object was created."));
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = metadata,
            ["columnDefinitions"] = columns,
            ["rows"] = new JsonArray(),
        };
    }

    private static JsonObject Row(ResourceDefinition resource, JsonObject obj, string? includeObject, DateTimeOffset now)
    {
        var cells = new JsonArray(obj.Name());
        if (IsNamespace(resource)) cells.Add(obj["status"]?["phase"]?.DeepClone() ?? "Active");
        cells.Add(Age(obj.MetaString("creationTimestamp"), now));
        var row = new JsonObject { ["cells"] = cells };
        row["object"] = includeObject switch
        {
            "None" => null,
            "Object" => obj.DeepClone(),
            _ => new JsonObject
            {
                ["kind"] = "PartialObjectMetadata",
                ["apiVersion"] = "meta.k8s.io/v1",
                ["metadata"] = obj["metadata"]?.DeepClone(),
            },
        };
        return row;
    }

    private static JsonObject Column(string name, string type, string format, string description) => new()
    {
        ["name"] = name,
        ["type"] = type,
        ["format"] = format,
        ["description"] = description,
        ["priority"] = 0,
    };

    private static bool IsNamespace(ResourceDefinition resource) => resource is { Group: "", Plural: "namespaces" };

    private static string Age(string? created, DateTimeOffset now)
    {
        if (!DateTimeOffset.TryParse(created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)) return "<unknown>";
        var age = now - time;
        return age.TotalDays >= 2 ? $"{(int)age.TotalDays}d"
            : age.TotalHours >= 2 ? $"{(int)age.TotalHours}h"
            : age.TotalMinutes >= 2 ? $"{(int)age.TotalMinutes}m"
            : $"{Math.Max(0, (int)age.TotalSeconds)}s";
    }
}
