using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

/// <summary>The autoscaling/v1 <c>Scale</c> shown by <c>/scale</c>, read from and written to the object's replica fields.</summary>
internal static class ScaleView
{
    public static JsonObject From(ResourceDefinition resource, JsonObject obj)
    {
        var scale = resource.Scale ?? throw new InvalidOperationException($"{resource.QualifiedName} has no scale subresource");
        var metadata = new JsonObject { ["name"] = obj.Name() };
        foreach (var key in new[] { "namespace", "uid", "resourceVersion", "creationTimestamp" })
        {
            if (obj.Metadata()[key] is { } value) metadata[key] = value.DeepClone();
        }
        var status = new JsonObject { ["replicas"] = JsonPath.Get(obj, scale.StatusReplicasPath)?.DeepClone() ?? 0 };
        if (scale.LabelSelectorPath is { } selectorPath && Selector(JsonPath.Get(obj, selectorPath)) is { } selector) status["selector"] = selector;
        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["replicas"] = JsonPath.Get(obj, scale.SpecReplicasPath)?.DeepClone() ?? 0 },
            ["status"] = status,
        };
    }

    /// <summary>The object with <c>spec.replicas</c> of the Scale written to the resource's replica path.</summary>
    public static JsonObject Apply(ResourceDefinition resource, JsonObject obj, JsonObject scale)
    {
        var replicas = scale["spec"]?["replicas"].AsLong() is { } count && count >= 0
            ? count
            : throw new ApiException(FakeFailure.Invalid("Scale", "autoscaling", obj.Name(),
                new FakeFailureCause("FieldValueInvalid", "Invalid value: must be a non-negative integer", "spec.replicas")));
        var result = (JsonObject)obj.DeepClone();
        JsonPath.Set(result, resource.Scale!.SpecReplicasPath, replicas);
        return result;
    }

    /// <summary>A label selector as the string form Scale uses: <c>app=web,tier=front</c>.</summary>
    private static string? Selector(JsonNode? node) => node switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        JsonObject selector => string.Join(",",
            (selector["matchLabels"] as JsonObject ?? []).Select(p => $"{p.Key}={p.Value}")
            .Concat((selector["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>().Select(Expression))),
        _ => null,
    };

    private static string Expression(JsonObject expression)
    {
        var key = expression.GetString("key");
        var values = string.Join(",", (expression["values"] as JsonArray ?? []).Select(v => v?.ToString()));
        return expression.GetString("operator") switch
        {
            "In" => $"{key} in ({values})",
            "NotIn" => $"{key} notin ({values})",
            "DoesNotExist" => $"!{key}",
            _ => key ?? "",
        };
    }
}
