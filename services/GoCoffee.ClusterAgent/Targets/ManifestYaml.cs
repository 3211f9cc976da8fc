using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using YamlDotNet.Serialization;
using YamlDotNet.System.Text.Json;

namespace GoCoffee.ClusterAgent.Targets;

/// <summary>
/// Manifest files as <c>kubectl apply -f</c> reads them. Written with the Kubernetes client's own YAML settings, which
/// quote every string YAML 1.1 (kubectl's dialect) would take for something else: <c>"4"</c>, <c>"true"</c>,
/// <c>"yes"</c>, <c>"n"</c>. Read back with YamlDotNet's System.Text.Json bridge, so quoted scalars stay strings and
/// plain ones become numbers and booleans again.
/// </summary>
internal static class ManifestYaml
{
    private static readonly IDeserializer Reader = new DeserializerBuilder().AddSystemTextJson().Build();

    public static string Write(JsonObject manifest) => KubernetesYaml.Serialize(Plain(manifest));

    /// <remarks>
    /// Re-read as JSON text so numbers behave as they do in an API server's answer (the bridge makes every number a
    /// double, which <c>(int)node</c> refuses).
    /// </remarks>
    public static JsonObject Read(string yaml) =>
        JsonNode.Parse((Reader.Deserialize<JsonObject?>(yaml) ?? throw new JsonException("The file holds no YAML mapping.")).ToJsonString())!.AsObject();

    /// <summary>The JSON tree as the dictionaries, lists and scalars the YAML serializer knows; nulls are dropped, as an apply would.</summary>
    private static object? Plain(JsonNode? node) => node switch
    {
        JsonObject map => map.Where(entry => entry.Value is not null)
            .ToDictionary(entry => entry.Key, entry => Plain(entry.Value)),
        JsonArray list => list.Select(Plain).ToList(),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => Number(value.ToJsonString()),
            _ => null,
        },
        _ => null,
    };

    // From the JSON text, since a node built in code holds whatever CLR number it was given (int, long, double...).
    private static object Number(string json) =>
        long.TryParse(json, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole) ? whole
        : double.Parse(json, NumberStyles.Float, CultureInfo.InvariantCulture);
}
