using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

/// <summary>Reads and writes fields by dotted path (<c>spec.replicas</c>, leading dot optional) through nested objects.</summary>
internal static class JsonPath
{
    public static string[] Split(string path) => path.TrimStart('.').Split('.', StringSplitOptions.RemoveEmptyEntries);

    public static JsonNode? Get(JsonObject root, string path) => Get(root, Split(path));

    public static JsonNode? Get(JsonObject root, IReadOnlyList<string> segments)
    {
        JsonNode? current = root;
        foreach (var segment in segments)
        {
            if (current is not JsonObject obj || !obj.TryGetPropertyValue(segment, out current)) return null;
        }
        return current;
    }

    public static bool Exists(JsonObject root, IReadOnlyList<string> segments)
    {
        JsonNode? current = root;
        foreach (var segment in segments)
        {
            if (current is not JsonObject obj || !obj.TryGetPropertyValue(segment, out current)) return false;
        }
        return true;
    }

    /// <summary>Sets the field, creating (or replacing non-object) parents.</summary>
    public static void Set(JsonObject root, IReadOnlyList<string> segments, JsonNode? value)
    {
        var parent = root;
        for (var i = 0; i < segments.Count - 1; i++)
        {
            if (parent[segments[i]] is not JsonObject child)
            {
                child = [];
                parent[segments[i]] = child;
            }
            parent = child;
        }
        parent[segments[^1]] = value;
    }

    public static void Set(JsonObject root, string path, JsonNode? value) => Set(root, Split(path), value);

    /// <summary>Removes the field and then any parent objects that it left empty.</summary>
    public static void Remove(JsonObject root, IReadOnlyList<string> segments)
    {
        var chain = new List<JsonObject> { root };
        for (var i = 0; i < segments.Count - 1; i++)
        {
            if (chain[^1][segments[i]] is not JsonObject child) return;
            chain.Add(child);
        }
        if (!chain[^1].Remove(segments[^1])) return;
        for (var i = chain.Count - 1; i > 0 && chain[i].Count == 0; i--)
        {
            chain[i - 1].Remove(segments[i - 1]);
        }
    }

    /// <summary>The field as text, the way field selectors compare it.</summary>
    public static string? Text(JsonObject root, string path) => Get(root, path) switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        JsonValue value => value.ToJsonString(),
        _ => null,
    };
}
