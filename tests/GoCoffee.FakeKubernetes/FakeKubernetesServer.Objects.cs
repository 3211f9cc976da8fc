using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

public sealed partial class FakeKubernetesServer
{
    /// <summary>
    /// Copies of the stored objects of <paramref name="resource"/> (plural, kind or short name, optionally <c>.group</c>:
    /// <c>"resourcequotas"</c>, <c>"deployments.apps"</c>, <c>"Tenant"</c>), in one namespace or all, in name order.
    /// </summary>
    public IReadOnlyList<JsonObject> Objects(string resource, string? ns = null)
    {
        var definition = _registry.Resolve(resource);
        return _store.Transact(tx => tx.List(definition.Key, ns).ToList()).Select(Copy).ToList();
    }

    /// <summary>A copy of one stored object, or null. <paramref name="group"/> is "" for the core group.</summary>
    public JsonObject? Get(string group, string plural, string? ns, string name) =>
        _store.Transact(tx => tx.Get(new ResourceKey(group, plural), new ObjectName(ns ?? "", name))) is { } stored ? Copy(stored) : null;

    /// <summary>A copy of one stored object, or null; <paramref name="resource"/> as in <see cref="Objects"/>.</summary>
    public JsonObject? Get(string resource, string? ns, string name)
    {
        var definition = _registry.Resolve(resource);
        return Get(definition.Group, definition.Plural, definition.Namespaced ? ns : null, name);
    }

    /// <summary>
    /// Stores an object directly (no HTTP, no injected failures), status included, as if a controller had made it:
    /// its apiVersion and kind pick the resource; a namespaced object without a namespace goes to "default".
    /// Watches see it as ADDED. Returns the stored copy.
    /// </summary>
    public JsonObject Seed(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        var resource = ResourceOf(copy);
        if (resource.Namespaced && string.IsNullOrEmpty(copy.Namespace())) copy.Metadata()["namespace"] = "default";
        var context = new WriteContext("fake-kubernetes", null, WriteMode.System, _options.TimeProvider.GetUtcNow());
        return Copy(_store.Transact(tx => _operations.Insert(tx, resource, copy, context)));
    }

    /// <summary>Seeds every document of a YAML manifest (<c>---</c> separated).</summary>
    public IReadOnlyList<JsonObject> SeedYaml(string yaml) => [.. Yaml.ParseDocuments(yaml).OfType<JsonObject>().Select(Seed)];

    /// <summary>
    /// Changes a stored object in place as a controller would (spec, status, metadata alike); watches see MODIFIED,
    /// generation follows spec changes. Returns the stored copy. Throws <see cref="KeyNotFoundException"/> if missing.
    /// </summary>
    public JsonObject Mutate(string resource, string? ns, string name, Action<JsonObject> change)
    {
        var definition = _registry.Resolve(resource);
        var context = new WriteContext("fake-kubernetes", null, WriteMode.System, _options.TimeProvider.GetUtcNow());
        return Copy(_store.Transact(tx =>
        {
            var current = tx.Get(definition.Key, new ObjectName(definition.Namespaced ? ns ?? "" : "", name))
                ?? throw new KeyNotFoundException($"{definition.QualifiedName} \"{name}\" not found");
            var proposed = (JsonObject)current.Node.DeepClone();
            change(proposed);
            return _operations.Replace(tx, current, proposed, context);
        }));
    }

    /// <summary>Deletes a stored object as a DELETE would (finalizers honoured, namespaces cascade); false if it did not exist.</summary>
    public bool Delete(string resource, string? ns, string name)
    {
        var definition = _registry.Resolve(resource);
        return _store.Transact(tx =>
        {
            var current = tx.Get(definition.Key, new ObjectName(definition.Namespaced ? ns ?? "" : "", name));
            if (current is null) return false;
            _operations.Delete(tx, current);
            return true;
        });
    }

    /// <summary>A caller's own copy, parsed from the stored JSON exactly as a client would receive it.</summary>
    private static JsonObject Copy(StoredObject stored) => JsonNode.Parse(stored.Json)!.AsObject();

    private ResourceDefinition ResourceOf(JsonObject obj)
    {
        var apiVersion = obj.GetString("apiVersion") ?? throw new ArgumentException("the object has no apiVersion", nameof(obj));
        var kind = obj.GetString("kind") ?? throw new ArgumentException("the object has no kind", nameof(obj));
        return _registry.FindByKind(apiVersion, kind) ?? throw new ArgumentException($"the fake serves no {kind} in {apiVersion}", nameof(obj));
    }
}
