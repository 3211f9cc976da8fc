using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

/// <summary>
/// A set of field paths as server-side apply tracks ownership. Simplified: the leaves are scalars, lists (owned as a
/// whole, as if every list were atomic) and empty objects; <c>fieldsV1</c> is written as nested <c>f:</c> keys.
/// </summary>
internal sealed class FieldSet
{
    private const char Separator = '\u001f';

    private readonly HashSet<string> _paths;

    private FieldSet(HashSet<string> paths) => _paths = paths;

    public static FieldSet Empty() => new([]);

    public int Count => _paths.Count;
    public IEnumerable<string> Paths => _paths;

    public bool Contains(string path) => _paths.Contains(path);
    public void Add(string path) => _paths.Add(path);
    public bool Remove(string path) => _paths.Remove(path);
    public bool SetEquals(FieldSet other) => _paths.SetEquals(other._paths);

    public static string[] Segments(string path) => path.Split(Separator);

    /// <summary>How the API server prints a path in conflict messages: <c>.spec.hard.cpu</c>.</summary>
    public static string Display(string path) => "." + path.Replace(Separator, '.');

    /// <summary>The leaves of an object, skipping what apply does not manage (identity, server-set metadata).</summary>
    public static FieldSet Of(JsonObject obj)
    {
        var set = Empty();
        foreach (var (key, value) in obj)
        {
            if (key is "apiVersion" or "kind") continue;
            if (key == "metadata" && value is JsonObject metadata)
            {
                foreach (var (metaKey, metaValue) in metadata)
                {
                    if (metaKey is "labels" or "annotations" or "finalizers" or "ownerReferences") Collect(set, "metadata" + Separator + metaKey, metaValue);
                }
                continue;
            }
            Collect(set, key, value);
        }
        return set;
    }

    /// <summary>The leaves whose value differs between two versions of an object (added, changed or removed).</summary>
    public static (FieldSet Changed, FieldSet Removed) Diff(JsonObject before, JsonObject after)
    {
        var old = Of(before);
        var now = Of(after);
        var changed = Empty();
        foreach (var path in now._paths)
        {
            var segments = Segments(path);
            if (!old.Contains(path) || !JsonNode.DeepEquals(JsonPath.Get(before, segments), JsonPath.Get(after, segments))) changed.Add(path);
        }
        var removed = new FieldSet([.. old._paths.Where(p => !now.Contains(p))]);
        return (changed, removed);
    }

    public FieldSet Only(Func<string, bool> keep) => new([.. _paths.Where(keep)]);

    public static bool IsStatus(string path) => path == "status" || path.StartsWith("status" + Separator, StringComparison.Ordinal);

    /// <summary>Reads <c>fieldsV1</c>; keys other than <c>f:</c> (list item keys, ".") mark their parent as owned.</summary>
    public static FieldSet FromFieldsV1(JsonObject? fields)
    {
        var set = Empty();
        if (fields is not null) Read(set, null, fields);
        return set;
    }

    public JsonObject ToFieldsV1()
    {
        var root = new JsonObject();
        foreach (var path in _paths.Order(StringComparer.Ordinal))
        {
            var node = root;
            foreach (var segment in Segments(path))
            {
                var key = "f:" + segment;
                if (node[key] is not JsonObject child)
                {
                    child = [];
                    node[key] = child;
                }
                node = child;
            }
        }
        return root;
    }

    private static void Collect(FieldSet set, string path, JsonNode? value)
    {
        if (value is JsonObject obj && obj.Count > 0)
        {
            foreach (var (key, child) in obj) Collect(set, path + Separator + key, child);
        }
        else
        {
            set.Add(path);
        }
    }

    private static void Read(FieldSet set, string? prefix, JsonObject node)
    {
        var ownsSelf = false;
        var hasFields = false;
        foreach (var (key, child) in node)
        {
            if (key.StartsWith("f:", StringComparison.Ordinal))
            {
                hasFields = true;
                var path = prefix is null ? key[2..] : prefix + Separator + key[2..];
                if (child is JsonObject grand && grand.Count > 0) Read(set, path, grand);
                else set.Add(path);
            }
            else
            {
                ownsSelf = true;
            }
        }
        if (prefix is not null && ownsSelf && !hasFields) set.Add(prefix);
    }
}
