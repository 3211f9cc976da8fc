using System.Text.Json.Nodes;
using GoCoffee.Contracts;
using k8s;
using k8s.Models;

namespace GoCoffee.ClusterAgent.Objects;

/// <summary>
/// A Kubernetes object as the targets handle it: plain JSON, so any kind (built-in or custom) goes through the same
/// code. Typed client models are turned into this once, where they are built.
/// </summary>
public static class Manifest
{
    public static JsonObject From(IKubernetesObject<V1ObjectMeta> model) =>
        JsonNode.Parse(KubernetesJson.Serialize(model))!.AsObject();

    public static ClusterObjectRef Reference(this JsonObject manifest)
    {
        var apiVersion = (string?)manifest["apiVersion"];
        var kind = (string?)manifest["kind"];
        var name = (string?)manifest["metadata"]?["name"];
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind) || string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("A manifest needs apiVersion, kind and metadata.name.", nameof(manifest));
        }

        var ns = (string?)manifest["metadata"]?["namespace"];
        return new ClusterObjectRef(apiVersion, kind, string.IsNullOrEmpty(ns) ? null : ns, name);
    }

    public static ObjectKind Kind(this JsonObject manifest) => ObjectKind.Of(manifest.Reference());

    public static IReadOnlyDictionary<string, string> Labels(this JsonObject manifest) => StringMap(manifest["metadata"]?["labels"]);

    public static IReadOnlyDictionary<string, string> Annotations(this JsonObject manifest) => StringMap(manifest["metadata"]?["annotations"]);

    /// <summary>The id of the command that last applied the object (<see cref="PlatformLabels.AppliedByCommand"/>), or null.</summary>
    public static string? AppliedByCommand(this JsonObject manifest) =>
        manifest.Annotations().TryGetValue(PlatformLabels.AppliedByCommand, out var id) ? id : null;

    /// <summary>Marks the manifest as applied by the command with message id <paramref name="commandId"/>.</summary>
    public static JsonObject ForCommand(this JsonObject manifest, Guid commandId)
    {
        var metadata = manifest["metadata"] as JsonObject ?? throw new ArgumentException("A manifest needs metadata.", nameof(manifest));
        if (metadata["annotations"] is not JsonObject annotations)
        {
            annotations = [];
            metadata["annotations"] = annotations;
        }

        annotations[PlatformLabels.AppliedByCommand] = commandId.ToString("N");
        return manifest;
    }

    public static string? ResourceVersion(this JsonObject manifest) => (string?)manifest["metadata"]?["resourceVersion"];

    /// <summary>True when the platform manages the object, and (when <paramref name="tenantId"/> is given) for that tenant.</summary>
    public static bool IsManagedFor(this JsonObject manifest, string? tenantId)
    {
        var labels = manifest.Labels();
        return labels.TryGetValue(PlatformLabels.ManagedBy, out var managedBy) && managedBy == PlatformLabels.ManagedByPlatform
            && (tenantId is null || (labels.TryGetValue(PlatformLabels.Tenant, out var tenant) && tenant == tenantId));
    }

    /// <summary>The tenant the manifest is labelled for; null when it names none.</summary>
    public static string? TenantLabel(this JsonObject manifest) => manifest.Labels().GetValueOrDefault(PlatformLabels.Tenant);

    /// <summary>
    /// Applying <paramref name="manifest"/> over <paramref name="existing"/> is allowed only when the existing object is
    /// already the platform's for the manifest's tenant: the cluster-agent never adopts what someone else made.
    /// </summary>
    public static void EnsureNotAdopting(this JsonObject manifest, JsonObject? existing)
    {
        if (existing is not null && !existing.IsManagedFor(manifest.TenantLabel() ?? string.Empty))
        {
            throw new Targets.ClusterRequestFailedException(
                manifest.Reference(),
                409,
                $"refused by the cluster-agent: {manifest.Reference()} already exists and is not labelled {PlatformLabels.ManagedBy}={PlatformLabels.ManagedByPlatform}, {PlatformLabels.Tenant}={manifest.TenantLabel()}; the platform does not adopt objects it did not create",
                transient: false);
        }
    }

    public static bool HasLabels(this JsonObject manifest, IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null)
        {
            return true;
        }

        var own = manifest.Labels();
        return labels.All(wanted => own.TryGetValue(wanted.Key, out var value) && value == wanted.Value);
    }

    private static Dictionary<string, string> StringMap(JsonNode? node) =>
        node is JsonObject map
            ? map.Where(entry => entry.Value is JsonValue).ToDictionary(entry => entry.Key, entry => entry.Value!.ToString())
            : [];
}
