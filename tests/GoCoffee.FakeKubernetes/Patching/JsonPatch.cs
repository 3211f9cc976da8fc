using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

/// <summary>JSON patch (RFC 6902): add, remove, replace, move, copy, test, with RFC 6901 pointers.</summary>
internal static class JsonPatch
{
    public static JsonNode Apply(JsonNode document, JsonNode? patch)
    {
        if (patch is not JsonArray operations) throw Invalid("the patch must be a JSON array of operations");
        var root = new JsonObject { ["doc"] = document.DeepClone() };
        foreach (var op in operations)
        {
            if (op is not JsonObject operation) throw Invalid("each operation must be a JSON object");
            var name = operation.GetString("op") ?? throw Invalid("an operation has no \"op\"");
            var path = operation.GetString("path") ?? throw Invalid($"{name} operation has no \"path\"");
            switch (name)
            {
                case "add": Add(root, path, Value(operation, name)); break;
                case "remove": Remove(root, path, name); break;
                case "replace":
                    Remove(root, path, name);
                    Add(root, path, Value(operation, name));
                    break;
                case "move":
                    var moveFrom = operation.GetString("from") ?? throw Invalid("move operation has no \"from\"");
                    var moved = Remove(root, moveFrom, name);
                    Add(root, path, moved);
                    break;
                case "copy":
                    var copyFrom = operation.GetString("from") ?? throw Invalid("copy operation has no \"from\"");
                    Add(root, path, Resolve(root, copyFrom, name)?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Resolve(root, path, name), Value(operation, name)))
                    {
                        throw Invalid($"testing value {path} failed: test failed");
                    }
                    break;
                default: throw Invalid($"Unexpected kind: {name}");
            }
        }
        var result = root["doc"];
        root.Remove("doc");
        return result ?? throw Invalid("the patch removed the whole document");
    }

    private static JsonNode? Value(JsonObject operation, string name) =>
        operation.TryGetPropertyValue("value", out var value) ? value?.DeepClone() : throw Invalid($"{name} operation has no \"value\"");

    private static (JsonNode Parent, string Token) Parent(JsonObject root, string pointer, string op)
    {
        var tokens = Tokens(pointer);
        JsonNode current = root;
        var token = "doc";
        foreach (var next in tokens)
        {
            current = Child(current, token) ?? throw Invalid($"{op} operation does not apply: doc is missing path: \"{pointer}\"");
            token = next;
        }
        return (current, token);
    }

    private static JsonNode? Resolve(JsonObject root, string pointer, string op)
    {
        var (parent, token) = Parent(root, pointer, op);
        if (parent is JsonObject obj && obj.TryGetPropertyValue(token, out var value)) return value;
        if (parent is JsonArray array && int.TryParse(token, out var index) && index >= 0 && index < array.Count) return array[index];
        throw Invalid($"{op} operation does not apply: doc is missing path: \"{pointer}\"");
    }

    private static void Add(JsonObject root, string pointer, JsonNode? value)
    {
        var (parent, token) = Parent(root, pointer, "add");
        switch (parent)
        {
            case JsonObject obj:
                obj[token] = value;
                break;
            case JsonArray array when token == "-":
                array.Add(value);
                break;
            case JsonArray array when int.TryParse(token, out var index) && index >= 0 && index <= array.Count:
                array.Insert(index, value);
                break;
            default:
                throw Invalid($"add operation does not apply: doc is missing path: \"{pointer}\"");
        }
    }

    private static JsonNode? Remove(JsonObject root, string pointer, string op)
    {
        var (parent, token) = Parent(root, pointer, op);
        switch (parent)
        {
            case JsonObject obj when obj.TryGetPropertyValue(token, out var value):
                obj.Remove(token);
                return value;
            case JsonArray array when int.TryParse(token, out var index) && index >= 0 && index < array.Count:
                var item = array[index];
                array.RemoveAt(index);
                return item;
            default:
                throw Invalid($"{op} operation does not apply: doc is missing path: \"{pointer}\"");
        }
    }

    private static JsonNode? Child(JsonNode node, string token) => node switch
    {
        JsonObject obj => obj[token],
        JsonArray array when int.TryParse(token, out var index) && index >= 0 && index < array.Count => array[index],
        _ => null,
    };

    private static string[] Tokens(string pointer)
    {
        if (pointer.Length == 0) return [];
        if (!pointer.StartsWith('/')) throw Invalid($"JSON pointer must start with '/': \"{pointer}\"");
        return [.. pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];
    }

    private static ApiException Invalid(string message) => new(new FakeFailure(422, "Invalid", message));
}
