using System.Globalization;
using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

/// <summary>Typed access to <c>metadata</c> of an object kept as a <see cref="JsonObject"/>.</summary>
internal static class ObjectMeta
{
    public static JsonObject Metadata(this JsonObject obj)
    {
        if (obj["metadata"] is JsonObject metadata) return metadata;
        metadata = [];
        obj["metadata"] = metadata;
        return metadata;
    }

    public static string? GetString(this JsonObject obj, string property) =>
        obj[property] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static string? MetaString(this JsonObject obj, string property) =>
        obj["metadata"] is JsonObject metadata ? metadata.GetString(property) : null;

    public static string Name(this JsonObject obj) => obj.MetaString("name") ?? "";

    public static string Namespace(this JsonObject obj) => obj.MetaString("namespace") ?? "";

    public static long ResourceVersion(this JsonObject obj) =>
        long.TryParse(obj.MetaString("resourceVersion"), NumberStyles.None, CultureInfo.InvariantCulture, out var rv) ? rv : 0;

    public static IReadOnlyDictionary<string, string> Labels(this JsonObject obj)
    {
        if (obj["metadata"] is not JsonObject { } metadata || metadata["labels"] is not JsonObject labels) return Empty;
        var result = new Dictionary<string, string>(labels.Count, StringComparer.Ordinal);
        foreach (var (key, value) in labels)
        {
            result[key] = value is JsonValue v && v.TryGetValue<string>(out var text) ? text : value?.ToJsonString() ?? "";
        }
        return result;
    }

    public static IReadOnlyList<string> Finalizers(this JsonObject obj) =>
        obj["metadata"] is JsonObject metadata && metadata["finalizers"] is JsonArray finalizers
            ? [.. finalizers.Select(f => f.AsString() ?? "")]
            : [];

    public static bool IsDeleting(this JsonObject obj) => obj.MetaString("deletionTimestamp") is not null;

    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();
}
