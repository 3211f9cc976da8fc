using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using GoCoffee.Contracts;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace GoCoffee.Resources;

/// <summary>
/// Reads a resource document sent as JSON or YAML into the resource model, strictly: an unknown field is an error
/// naming its path, as the Kubernetes API server does with field validation set to Strict. Nesting deeper than
/// <see cref="MaxDepth"/> and (in JSON) a key given twice in one object are refused while the text is read, before any
/// tree is built: no document can make the reader recurse, whatever its size.
/// </summary>
public static class ResourceDocument
{
    public const int MaxDepth = ResourceDocumentLimits.MaxDepth;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        MaxDepth = MaxDepth,
    };

    private static readonly JsonDocumentOptions JsonText = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = false };

    public static bool IsYaml(string? contentType) =>
        contentType is not null && (contentType.Contains("yaml", StringComparison.OrdinalIgnoreCase));

    /// <returns>The document, or the error with the field path it concerns.</returns>
    public static (T? Document, DocumentError? Error) Read<T>(string body, bool yaml)
        where T : class
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, new DocumentError("$", "The request body is empty: send the resource as JSON or YAML."));
        }

        try
        {
            if (!yaml && JsonShape.Check(body) is { } shapeError)
            {
                return (null, shapeError);
            }

            var node = yaml ? YamlToJson(body) : JsonNode.Parse(body, documentOptions: JsonText);
            if (node is not JsonObject)
            {
                return (null, new DocumentError("$", "The document must be an object with apiVersion, kind, metadata and spec."));
            }

            return (node.Deserialize<T>(Json), null);
        }
        catch (JsonException ex)
        {
            return (null, new DocumentError(FieldPath(ex.Path), Describe(ex)));
        }
        catch (DocumentTooDeepException ex)
        {
            return (null, new DocumentError("$", ex.Message));
        }
        catch (YamlException ex)
        {
            return (null, new DocumentError("$", $"Not valid YAML at line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}"));
        }
        catch (InvalidOperationException ex)
        {
            return (null, new DocumentError("$", ex.Message));
        }
    }

    /// <summary>YAML 1.2 core schema to JSON: plain scalars become null, booleans and numbers; quoted ones stay strings.</summary>
    internal static JsonNode? YamlToJson(string yaml)
    {
        // YamlStream builds its tree recursively: the parser's events are counted first, so it never sees a deep one.
        var stream = new YamlStream();
        using (var reader = new StringReader(yaml))
        {
            stream.Load(new DepthLimitedParser(new Parser(reader), MaxDepth));
        }

        return stream.Documents.Count switch
        {
            0 => null,
            1 => Convert(stream.Documents[0].RootNode, depth: 0),
            _ => throw new InvalidOperationException("Send one YAML document per request."),
        };
    }

    private static JsonNode? Convert(YamlNode node, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidOperationException("The document is nested too deeply.");
        }

        // Aliases would let a small document expand enormously ("billion laughs"); resource documents never need them.
        if (!node.Anchor.IsEmpty)
        {
            throw new InvalidOperationException("YAML anchors and aliases are not accepted.");
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    var name = key is YamlScalarNode scalarKey ? scalarKey.Value ?? string.Empty : throw new InvalidOperationException("Mapping keys must be plain strings.");
                    if (obj.ContainsKey(name))
                    {
                        throw new InvalidOperationException($"Duplicate key '{name}'.");
                    }

                    obj[name] = Convert(value, depth + 1);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence.Children)
                {
                    array.Add(Convert(item, depth + 1));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new InvalidOperationException("YAML aliases and anchors are not accepted.");
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? string.Empty;
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any))
        {
            return JsonValue.Create(value);
        }

        return value switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var integer) => JsonValue.Create(integer),
            _ when value.Any(char.IsDigit) && double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var real) && !value.Any(char.IsLetter) => JsonValue.Create(real),
            _ => JsonValue.Create(value),
        };
    }

    private static string FieldPath(string? jsonPath) =>
        string.IsNullOrEmpty(jsonPath) || jsonPath == "$" ? "$" : jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');

    private static string Describe(JsonException ex)
    {
        var message = ex.Message;
        if (message.Contains("could not be mapped", StringComparison.OrdinalIgnoreCase))
        {
            var start = message.IndexOf('\'', StringComparison.Ordinal);
            var end = start >= 0 ? message.IndexOf('\'', start + 1) : -1;
            var field = start >= 0 && end > start ? message[(start + 1)..end] : "?";
            return $"Unknown field '{field}': it is not part of this resource's schema.";
        }

        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}

public sealed record DocumentError(string Field, string Message);

/// <summary>A document nested deeper than <see cref="ResourceDocument.MaxDepth"/>.</summary>
public sealed class DocumentTooDeepException(int maxDepth)
    : Exception($"The document nests objects and arrays more than {maxDepth} levels deep (max depth {maxDepth}).");

/// <summary>Hands on a YAML parser's events, and stops at the first collection nested deeper than the limit.</summary>
internal sealed class DepthLimitedParser(IParser inner, int maxDepth) : IParser
{
    private int _depth;

    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        if (!inner.MoveNext())
        {
            return false;
        }

        switch (inner.Current)
        {
            case MappingStart or SequenceStart when ++_depth > maxDepth:
                throw new DocumentTooDeepException(maxDepth);
            case MappingEnd or SequenceEnd:
                _depth--;
                break;
        }

        return true;
    }
}

/// <summary>
/// One forward pass over a JSON text (no tree, no recursion) that finds what the tree would hide or could not survive:
/// nesting beyond the limit and a key given twice in one object (a parser keeps the last; the platform refuses both),
/// each named by its path. Syntax errors are left to the parser that follows, which describes them.
/// </summary>
internal static class JsonShape
{
    public static DocumentError? Check(string json)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json), new JsonReaderOptions { MaxDepth = ResourceDocument.MaxDepth + 1 });
        var frames = new Stack<Frame>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var frame = frames.Peek();
                        var name = reader.GetString()!;
                        frame.Member = frame.Path.Length == 0 ? name : $"{frame.Path}.{name}";
                        if (!frame.Keys!.Add(name))
                        {
                            return new DocumentError(frame.Member, "appears more than once in the same object: each key may be given once");
                        }

                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        if (reader.CurrentDepth >= ResourceDocument.MaxDepth)
                        {
                            return new DocumentError("$", new DocumentTooDeepException(ResourceDocument.MaxDepth).Message);
                        }

                        var path = frames.TryPeek(out var parent) ? parent.NextValue() : string.Empty;
                        frames.Push(new Frame(path, reader.TokenType == JsonTokenType.StartObject ? new HashSet<string>(StringComparer.Ordinal) : null));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.Pop();
                        break;
                    default:
                        if (frames.TryPeek(out var container))
                        {
                            container.NextValue();
                        }

                        break;
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return null;
    }

    private sealed class Frame(string path, HashSet<string>? keys)
    {
        private int _index;

        public string Path { get; } = path;

        /// <summary>The object's keys so far; null for an array.</summary>
        public HashSet<string>? Keys { get; } = keys;

        public string Member { get; set; } = path;

        /// <returns>The path of the value that starts now: the current member's, or the array's next element's.</returns>
        public string NextValue() => Keys is not null ? Member : $"{Path}[{_index++}]";
    }
}
