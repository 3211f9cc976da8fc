using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using GoCoffee.ClusterAgent.CustomResources.Tenants;
using GoCoffee.Contracts;

namespace GoCoffee.ClusterAgent.CustomResources;

/// <summary>
/// A custom object in and out of the platform's resource models, as <see cref="TenantResourceJson"/> does for the
/// Tenant: identity, metadata and spec in (without the status, the managed fields and kubectl's last-applied copy);
/// the model's status out, with the object's generation as <c>observedGeneration</c> and times in RFC 3339 seconds.
/// </summary>
internal static class CustomObjectJson
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new KubernetesTime() },
    };

    /// <param name="quantities">Objects (paths of property names) whose <c>cpu</c>, <c>memory</c>, <c>storage</c> may be numbers (int-or-string in the CRD) and are text in the model.</param>
    /// <exception cref="JsonException">A field has a type the model cannot read; <see cref="JsonException.Path"/> names it.</exception>
    public static T Read<T>(JsonObject obj, params string[][] quantities)
        where T : class
    {
        if (TenantResourceJson.Deeper(obj, ResourceDocumentLimits.MaxDepth))
        {
            throw new JsonException(
                $"The object nests objects and arrays more than {ResourceDocumentLimits.MaxDepth} levels deep (max depth {ResourceDocumentLimits.MaxDepth}).", "$", null, null);
        }

        var copy = obj.DeepClone().AsObject();
        copy.Remove("status");
        if (copy["metadata"] is JsonObject metadata)
        {
            metadata.Remove("managedFields");
            (metadata["annotations"] as JsonObject)?.Remove(TenantResourceJson.LastAppliedAnnotation);
        }

        foreach (var path in quantities)
        {
            if (path.Aggregate((JsonNode?)copy, (node, key) => node?[key]) is JsonObject holder)
            {
                foreach (var quantity in new[] { "cpu", "memory", "storage" })
                {
                    if (holder[quantity] is JsonValue value && value.GetValueKind() == JsonValueKind.Number)
                    {
                        holder[quantity] = value.ToJsonString();
                    }
                }
            }
        }

        return copy.Deserialize<T>(Json) ?? throw new JsonException("The object is empty.");
    }

    /// <summary><c>.status</c> as written to the object: <paramref name="status"/> with <paramref name="observedGeneration"/> on it and on every condition.</summary>
    public static JsonObject Status<TStatus>(TStatus status, long observedGeneration)
    {
        var node = JsonSerializer.SerializeToNode(status, Json)!.AsObject();
        node["observedGeneration"] = observedGeneration;
        foreach (var condition in (node["conditions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            condition["observedGeneration"] = observedGeneration;
        }

        return node;
    }

    /// <summary>A status saying the platform did not take the object: phase Failed, <c>Synced=False</c> with the reason and message.</summary>
    public static JsonObject Refused(string reason, string message, long observedGeneration, DateTimeOffset at) =>
        Status(
            new RefusedStatus("Failed", [new ResourceCondition("Synced", "False", reason, message, at), new ResourceCondition("Ready", "False", reason, message, at)]),
            observedGeneration);

    private sealed record RefusedStatus(string Phase, List<ResourceCondition> Conditions);

    private sealed class KubernetesTime : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// The tenant a namespaced custom object was handed on for (from its namespace's labels when it was): a deletion, or a
/// status coming back, is matched against it, whatever has happened to the namespace since.
/// </summary>
public sealed class BridgedObjectTenant
{
    /// <summary><see cref="WatchedResource.ObjectKey(string?, string)"/>.</summary>
    public string Id { get; set; } = string.Empty;

    public string TenantId { get; set; } = string.Empty;

    public string Namespace { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;
}
