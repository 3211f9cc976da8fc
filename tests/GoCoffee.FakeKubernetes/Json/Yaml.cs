using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GoCoffee.FakeKubernetes;

/// <summary>
/// YAML to JSON the way Kubernetes reads manifests (sigs.k8s.io/yaml, YAML 1.1 scalars): plain <c>true/yes/on</c> are
/// booleans, <c>~</c>/<c>null</c> are null, numbers are numbers, quoted scalars are strings. JSON is valid input too.
/// </summary>
public static partial class Yaml
{
    /// <summary>Every non-empty document of a (possibly multi-document) YAML text.</summary>
    public static IReadOnlyList<JsonNode> ParseDocuments(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return [.. stream.Documents.Select(d => ToJson(d.RootNode)).OfType<JsonNode>()];
    }

    /// <summary>The single document of <paramref name="yaml"/> as an object.</summary>
    public static JsonObject ParseObject(string yaml)
    {
        var documents = ParseDocuments(yaml);
        return documents is [JsonObject obj] ? obj : throw new FormatException("expected exactly one YAML document holding an object");
    }

    internal static JsonNode ParseBody(string text)
    {
        try
        {
            var trimmed = text.TrimStart();
            if (trimmed.StartsWith('{') || trimmed.StartsWith('[')) return JsonNode.Parse(text) ?? throw new FormatException("empty body");
            var documents = ParseDocuments(text);
            return documents.Count == 1 ? documents[0] : throw new FormatException("expected one YAML document");
        }
        catch (Exception e) when (e is YamlException or FormatException or System.Text.Json.JsonException)
        {
            throw new ApiException(FakeFailure.BadRequest($"error decoding YAML: {e.Message}"));
        }
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(c =>
            KeyValuePair.Create(((YamlScalarNode)c.Key).Value ?? "", ToJson(c.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not ScalarStyle.Plain || scalar.Tag is { IsEmpty: false, IsNonSpecific: false, Value: "tag:yaml.org,2002:str" })
        {
            return JsonValue.Create(text);
        }
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "y" or "Y" or "on" or "On" or "ON":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "n" or "N" or "off" or "Off" or "OFF":
                return JsonValue.Create(false);
        }
        if (Integer().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }
        if (Float().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }
        return JsonValue.Create(text);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}
