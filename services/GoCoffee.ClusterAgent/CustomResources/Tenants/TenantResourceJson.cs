using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Tenants;

namespace GoCoffee.ClusterAgent.CustomResources.Tenants;

/// <summary>A Tenant custom object in and out of the platform's one model, <see cref="TenantResource"/>.</summary>
internal static class TenantResourceJson
{
    /// <summary>kubectl's own bookkeeping: a copy of the whole object, not the tenant's (and longer than the tenant service allows annotations to be).</summary>
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>The spec's quantities: the CRD takes them as int-or-string (<c>cpu: 4</c>), the model as text.</summary>
    private static readonly string[] Quantities = ["cpu", "memory", "storage"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new KubernetesTime() },
    };

    /// <summary>
    /// The object as the tenant service takes it: identity, metadata and spec, without the status (the platform's own)
    /// and without what the API server and kubectl keep for themselves. Fields the model lacks are left out, as the
    /// API server prunes them under a structural schema.
    /// </summary>
    /// <exception cref="JsonException">A field has a type the model cannot read; <see cref="JsonException.Path"/> names it.</exception>
    public static TenantResource Read(JsonObject obj)
    {
        // The platform's one bound on a resource document's nesting, as the tenant service applies to its API bodies.
        if (Deeper(obj, ResourceDocumentLimits.MaxDepth))
        {
            throw new JsonException(
                $"The object nests objects and arrays more than {ResourceDocumentLimits.MaxDepth} levels deep (max depth {ResourceDocumentLimits.MaxDepth}).", "$", null, null);
        }

        var copy = obj.DeepClone().AsObject();
        copy.Remove("status");
        if (copy["metadata"] is JsonObject metadata)
        {
            metadata.Remove("managedFields");
            (metadata["annotations"] as JsonObject)?.Remove(LastAppliedAnnotation);
        }

        if (copy["spec"]?["resources"] is JsonObject resources)
        {
            foreach (var quantity in Quantities)
            {
                if (resources[quantity] is JsonValue value && value.GetValueKind() == JsonValueKind.Number)
                {
                    resources[quantity] = value.ToJsonString();
                }
            }
        }

        return copy.Deserialize<TenantResource>(Json) ?? throw new JsonException("The object is empty.");
    }

    /// <summary>
    /// <c>.status</c> as written to the custom object: the model's status, with <paramref name="observedGeneration"/>
    /// (the object's generation the platform has seen) on the status and on every condition, times in RFC 3339 seconds.
    /// </summary>
    public static JsonObject Status(TenantStatus status, long observedGeneration)
    {
        var node = JsonSerializer.SerializeToNode(status, Json)!.AsObject();
        node["observedGeneration"] = observedGeneration;
        foreach (var condition in (node["conditions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            condition["observedGeneration"] = observedGeneration;
        }

        return node;
    }

    /// <summary>Whether <paramref name="root"/> nests objects and arrays more than <paramref name="maxDepth"/> levels (walked without recursion).</summary>
    internal static bool Deeper(JsonNode root, int maxDepth)
    {
        var pending = new Stack<(JsonNode Node, int Depth)>();
        pending.Push((root, 1));
        while (pending.TryPop(out var item))
        {
            if (item.Depth > maxDepth)
            {
                return true;
            }

            var children = item.Node switch
            {
                JsonObject map => map.Select(entry => entry.Value),
                JsonArray list => list.AsEnumerable(),
                _ => [],
            };
            foreach (var child in children)
            {
                if (child is JsonObject or JsonArray)
                {
                    pending.Push((child, item.Depth + 1));
                }
            }
        }

        return false;
    }

    /// <summary>The field a <see cref="JsonException"/> is about, as the tenant service names fields: <c>spec.resources.namespaces</c>.</summary>
    public static string FieldOf(JsonException exception) =>
        exception.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "$";

    /// <summary>Kubernetes writes times as RFC 3339 in UTC to the second (<c>2025-06-01T10:00:00Z</c>).</summary>
    private sealed class KubernetesTime : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
    }
}
