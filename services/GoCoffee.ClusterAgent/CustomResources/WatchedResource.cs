using System.Text.Json.Nodes;

namespace GoCoffee.ClusterAgent.CustomResources;

/// <summary>A custom resource the agent watches, as the API server serves it.</summary>
public sealed record WatchedResource(string Group, string Version, string Kind, string Plural)
{
    /// <summary>kubectl's name for it, <c>tenants.tenant.gocoffee.dev</c>: the key of its cursor.</summary>
    public string Key => $"{Plural}.{Group}";

    public string ApiVersion => $"{Group}/{Version}";

    /// <summary>The key of one object's records: <c>tenants.tenant.gocoffee.dev/enterprise-customer-1</c> (namespace/name when namespaced).</summary>
    public string ObjectKey(string? @namespace, string name) =>
        string.IsNullOrEmpty(@namespace) ? $"{Key}/{name}" : $"{Key}/{@namespace}/{name}";

    public string ObjectKey(JsonObject obj) => ObjectKey(obj.Namespace(), obj.Name());
}

/// <summary>The metadata the bridge reads from a custom object.</summary>
public static class CustomObjectMetadata
{
    public static string Name(this JsonObject obj) =>
        (string?)obj["metadata"]?["name"] ?? throw new ArgumentException("The object has no metadata.name.", nameof(obj));

    public static string? Namespace(this JsonObject obj) => (string?)obj["metadata"]?["namespace"] is { Length: > 0 } ns ? ns : null;

    public static string? Uid(this JsonObject obj) => (string?)obj["metadata"]?["uid"];

    public static long Generation(this JsonObject obj) => obj["metadata"]?["generation"] is JsonValue value && value.TryGetValue<long>(out var generation) ? generation : 0;

    public static bool IsBeingDeleted(this JsonObject obj) => obj["metadata"]?["deletionTimestamp"] is not null;
}
