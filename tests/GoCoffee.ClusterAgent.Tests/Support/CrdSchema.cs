using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Json.Schema;

namespace GoCoffee.ClusterAgent.Tests.Support;

/// <summary>A CRD's openAPIV3Schema against the platform's C# model of the resource, and documents against the schema.</summary>
internal static class CrdSchema
{
    public static void Compare(Type type, JsonObject schema, string path, List<string> mismatches)
    {
        var properties = schema["properties"] as JsonObject ?? [];
        var model = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).ToDictionary(JsonName, StringComparer.Ordinal);
        foreach (var (name, property) in model)
        {
            var at = path.Length == 0 ? name : $"{path}.{name}";
            if (properties[name] is not JsonObject field)
            {
                mismatches.Add($"{at}: in the model ({property.PropertyType.Name}), not in the schema");
                continue;
            }

            if (path.Length == 0 && name == "metadata")
            {
                // Kubernetes owns the schema of metadata; a CRD may only say it is an object.
                CheckType(at, field, "object", mismatches);
                continue;
            }

            CompareValue(Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType, field, at, mismatches);
        }

        foreach (var (name, _) in properties)
        {
            if (!model.ContainsKey(name))
            {
                mismatches.Add($"{(path.Length == 0 ? name : $"{path}.{name}")}: in the schema, not in the model");
            }
        }
    }

    private static void CompareValue(Type type, JsonObject field, string at, List<string> mismatches)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            if (field["x-kubernetes-int-or-string"] is null)
            {
                CheckType(at, field, "string", mismatches);
            }
        }
        else if (type == typeof(int) || type == typeof(long))
        {
            CheckType(at, field, "integer", mismatches);
        }
        else if (type == typeof(bool))
        {
            CheckType(at, field, "boolean", mismatches);
        }
        else if (type == typeof(decimal) || type == typeof(double))
        {
            CheckType(at, field, "number", mismatches);
        }
        else if (type == typeof(DateTimeOffset))
        {
            CheckType(at, field, "string", mismatches);
            if ((string?)field["format"] != "date-time")
            {
                mismatches.Add($"{at}: a time in the model, without format date-time in the schema");
            }
        }
        else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            CheckType(at, field, "object", mismatches);
            if (field["additionalProperties"] is JsonObject values)
            {
                CompareValue(type.GetGenericArguments()[1], values, $"{at}.*", mismatches);
            }
            else
            {
                mismatches.Add($"{at}: a map in the model, without additionalProperties in the schema");
            }
        }
        else if (typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType)
        {
            CheckType(at, field, "array", mismatches);
            if (field["items"] is JsonObject items)
            {
                CompareValue(type.GetGenericArguments()[0], items, $"{at}[]", mismatches);
            }
            else
            {
                mismatches.Add($"{at}: a list in the model, without items in the schema");
            }
        }
        else if (type.IsClass)
        {
            CheckType(at, field, "object", mismatches);
            Compare(type, field, at, mismatches);
        }
        else
        {
            mismatches.Add($"{at}: {type.Name} has no schema type this test knows");
        }
    }

    private static void CheckType(string at, JsonObject field, string expected, List<string> mismatches)
    {
        if ((string?)field["type"] != expected)
        {
            mismatches.Add($"{at}: {expected} in the model, {(string?)field["type"] ?? "untyped"} in the schema");
        }
    }

    private static string JsonName(PropertyInfo property) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);

    /// <summary>
    /// The CRD's openAPIV3Schema as JSON Schema, evaluated as the API server with strict field validation would:
    /// an object schema listing its properties admits no others.
    /// </summary>
    public static EvaluationResults Evaluate(JsonObject crdSchema, JsonObject resource)
    {
        var schema = crdSchema.DeepClone().AsObject();
        Strict(schema);
        var evaluator = JsonSchema.FromText(schema.ToJsonString());
        using var document = JsonDocument.Parse(resource.ToJsonString());
        return evaluator.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static void Strict(JsonNode? node)
    {
        if (node is JsonObject schema)
        {
            if (schema["properties"] is JsonObject && schema["additionalProperties"] is null && schema["x-kubernetes-preserve-unknown-fields"] is null)
            {
                schema["additionalProperties"] = false;
            }

            foreach (var key in schema.Select(p => p.Key).Where(k => k.StartsWith("x-kubernetes-", StringComparison.Ordinal)).ToList())
            {
                schema.Remove(key);
            }

            foreach (var (_, child) in schema.ToList())
            {
                Strict(child);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var item in array)
            {
                Strict(item);
            }
        }
    }

    public static string Describe(EvaluationResults results) =>
        string.Join('\n', (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}")));
}
