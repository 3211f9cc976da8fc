using System.Text;
using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

/// <summary>The few defaults and normalisations of the real API server that clients rely on.</summary>
internal static class Defaults
{
    public static void Apply(ResourceDefinition resource, JsonObject obj)
    {
        switch (resource.Group, resource.Kind)
        {
            case ("", "Namespace"):
                if (!obj.IsDeleting()) EnsureObject(obj, "status")["phase"] ??= "Active";
                break;
            case ("", "Secret"):
                FoldStringData(obj);
                obj["type"] ??= "Opaque";
                break;
            case ("", "Service"):
                EnsureObject(obj, "spec")["type"] ??= "ClusterIP";
                break;
            case ("", "Pod"):
                EnsureObject(obj, "status")["phase"] ??= "Pending";
                break;
            case ("apps", "Deployment" or "StatefulSet" or "ReplicaSet"):
                EnsureObject(obj, "spec")["replicas"] ??= 1;
                break;
        }
    }

    /// <summary>Secrets: <c>stringData</c> is write-only, merged into base64 <c>data</c>.</summary>
    private static void FoldStringData(JsonObject secret)
    {
        if (secret["stringData"] is not JsonObject stringData) return;
        var data = EnsureObject(secret, "data");
        foreach (var (key, value) in stringData)
        {
            data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value.AsString() ?? ""));
        }
        secret.Remove("stringData");
    }

    private static JsonObject EnsureObject(JsonObject parent, string property)
    {
        if (parent[property] is JsonObject child) return child;
        child = [];
        parent[property] = child;
        return child;
    }
}
