using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

/// <summary>Tolerant scalar reads: a node's value whether it was parsed or built from an int, long or string.</summary>
internal static class JsonValues
{
    public static string? AsString(this JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    public static long? AsLong(this JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number &&
        long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;

    public static bool? AsBool(this JsonNode? node) => node?.GetValueKind() switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
