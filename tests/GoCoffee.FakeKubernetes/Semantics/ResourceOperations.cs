using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

/// <summary>The Kubernetes verbs over the store, with the API server's semantics. Each verb is one store transaction.</summary>
internal sealed partial class ResourceOperations(ObjectStore store, ResourceRegistry registry, FakeKubernetesOptions options)
{
    private static readonly ResourceKey Namespaces = new("", "namespaces");

    private DateTimeOffset Now => options.TimeProvider.GetUtcNow();

    /// <summary>Every server-side apply carried out, per object.</summary>
    public ApplyCounter Applies { get; } = new();

    public ApiResponse Get(Route.Resource route) => store.Transact(tx =>
    {
        var obj = Existing(tx, route);
        return route.Subresource == "scale" ? ApiResponse.Of(200, ScaleView.From(route.Definition, obj.Node)) : new ApiResponse(200, obj.Json);
    });

    public ApiResponse List(Route.Resource route, ListOptions list) => store.Transact(tx =>
    {
        var resource = route.Definition;
        var listVersion = tx.ResourceVersion;
        IEnumerable<StoredObject> items = tx.List(resource.Key, route.Namespace).Where(list.Matches);
        if (list.Continue is { } token)
        {
            var (tokenVersion, after) = ContinueToken.Read(token);
            if (tokenVersion < tx.CompactedThrough)
            {
                throw new ApiException(FakeFailure.Expired(
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter."));
            }
            listVersion = tokenVersion;
            items = items.Where(o => o.Name.CompareTo(after) > 0);
        }

        var page = items.ToList();
        string? next = null;
        long? remaining = null;
        if (list.Limit is > 0 and var limit && page.Count > limit)
        {
            remaining = page.Count - limit;
            page = page[..limit];
            next = ContinueToken.Write(listVersion, page[^1].Name);
        }
        return new ApiResponse(200, ListJson(resource, listVersion, page, next, remaining));
    });

    public ApiResponse Create(Route.Resource route, JsonObject body, WriteOptions write)
    {
        var resource = route.Definition;
        CheckTypeMeta(resource, body);
        CheckNamespace(route, body);
        var metadata = body.Metadata();
        if (string.IsNullOrEmpty(body.Name()))
        {
            var prefix = body.MetaString("generateName");
            if (string.IsNullOrEmpty(prefix)) throw Validation.NameRequired(resource);
            metadata["name"] = prefix + RandomSuffix();
        }

        var context = new WriteContext(write.Manager, null, WriteMode.Client, Now, write.DryRun);
        return store.Transact(tx =>
        {
            var stored = Insert(tx, resource, body, context);
            return new ApiResponse(201, stored.Json);
        });
    }

    public ApiResponse Update(Route.Resource route, JsonObject body, WriteOptions write)
    {
        var resource = route.Definition;
        if (route.Subresource == "scale") return UpdateScale(route, body, write);
        CheckTypeMeta(resource, body);
        CheckNamespace(route, body);
        CheckName(route, body);
        var context = new WriteContext(write.Manager, route.Subresource, WriteMode.Client, Now, write.DryRun);
        return store.Transact(tx =>
        {
            var current = Existing(tx, route);
            CheckPrecondition(resource, current, body);
            var proposed = Lifecycle.Compose(resource, current.Node, body, route.Subresource);
            return new ApiResponse(200, Replace(tx, current, proposed, context).Json);
        });
    }

    /// <summary>Creates inside a transaction: namespace checks, AlreadyExists, lifecycle, and CRD registration.</summary>
    internal StoredObject Insert(ObjectStore.StoreTransaction tx, ResourceDefinition resource, JsonObject body, WriteContext context)
    {
        var name = new ObjectName(resource.Namespaced ? body.Namespace() : "", body.Name());
        if (resource.Namespaced && options.RequireNamespaces) RequireNamespace(tx, resource, name);
        if (tx.Get(resource.Key, name) is not null) throw new ApiException(FakeFailure.AlreadyExists(resource.Plural, resource.Group, name.Name));
        Lifecycle.PrepareCreate(resource, body, context);
        if (context.DryRun) return Preview(resource, name, body);
        if (IsCrd(resource)) CrdRegistration.Accept(body, registry);
        return tx.Put(resource, body);
    }

    /// <summary>Updates inside a transaction; a write that changes nothing keeps the stored revision.</summary>
    internal StoredObject Replace(ObjectStore.StoreTransaction tx, StoredObject current, JsonObject proposed, WriteContext context)
    {
        var resource = current.Resource;
        var prepared = Lifecycle.PrepareUpdate(resource, current, proposed, context);
        if (prepared is null) return current;
        if (context.DryRun) return Preview(resource, current.Name, prepared);
        if (IsCrd(resource)) CrdRegistration.Accept(prepared, registry);
        if (prepared.IsDeleting() && prepared.Finalizers().Count == 0) return Finalize(tx, tx.Put(resource, prepared));
        return tx.Put(resource, prepared);
    }

    private StoredObject Existing(ObjectStore.StoreTransaction tx, Route.Resource route)
    {
        var resource = route.Definition;
        var name = new ObjectName(route.Namespace ?? "", route.Name ?? "");
        return tx.Get(resource.Key, name) ?? throw new ApiException(FakeFailure.NotFound(resource.Plural, resource.Group, name.Name));
    }

    private static void RequireNamespace(ObjectStore.StoreTransaction tx, ResourceDefinition resource, ObjectName name)
    {
        var ns = tx.Get(Namespaces, new ObjectName("", name.Namespace))
            ?? throw new ApiException(FakeFailure.NotFound("namespaces", "", name.Namespace));
        if (ns.Node.IsDeleting())
        {
            var message = $"{resource.QualifiedName} \"{name.Name}\" is forbidden: " +
                $"unable to create new content in namespace {name.Namespace} because it is being terminated";
            throw new ApiException(FakeFailure.Forbidden(message) with
            {
                Name = name.Name,
                Group = resource.Group.Length == 0 ? null : resource.Group,
                Kind = resource.Plural,
            });
        }
    }

    /// <summary>A body's kind and apiVersion must be the path's (missing ones are taken from the path).</summary>
    private static void CheckTypeMeta(ResourceDefinition resource, JsonObject body)
    {
        var apiVersion = body.GetString("apiVersion");
        var kind = body.GetString("kind");
        if (apiVersion is not null && apiVersion != resource.ApiVersion)
        {
            throw new ApiException(FakeFailure.BadRequest(
                $"the API version in the data ({apiVersion}) does not match the expected API version ({resource.ApiVersion})"));
        }
        if (kind is not null && kind != resource.Kind)
        {
            throw new ApiException(FakeFailure.BadRequest(
                $"the kind in the data ({kind}) does not match the expected kind ({resource.Kind}) for {resource.QualifiedName}"));
        }
        body["apiVersion"] = resource.ApiVersion;
        body["kind"] = resource.Kind;
    }

    private static void CheckNamespace(Route.Resource route, JsonObject body)
    {
        if (!route.Definition.Namespaced) return;
        var ns = body.MetaString("namespace");
        if (!string.IsNullOrEmpty(ns) && ns != route.Namespace)
        {
            throw new ApiException(FakeFailure.BadRequest(
                "the namespace of the provided object does not match the namespace sent on the request"));
        }
        body.Metadata()["namespace"] = route.Namespace;
    }

    private static void CheckName(Route.Resource route, JsonObject body)
    {
        var name = body.Name();
        if (name.Length == 0) body.Metadata()["name"] = route.Name;
        else if (name != route.Name)
        {
            throw new ApiException(FakeFailure.BadRequest($"the name of the object ({name}) does not match the name on the URL ({route.Name})"));
        }
    }

    /// <summary><c>metadata.resourceVersion</c> in a write is a precondition: stale means 409 Conflict.</summary>
    private static void CheckPrecondition(ResourceDefinition resource, StoredObject current, JsonObject body)
    {
        var expected = body.MetaString("resourceVersion");
        if (!string.IsNullOrEmpty(expected) && expected != current.ResourceVersion.ToString(CultureInfo.InvariantCulture))
        {
            throw new ApiException(FakeFailure.Conflict(resource.Plural, resource.Group, current.Name.Name));
        }
    }

    private static StoredObject Preview(ResourceDefinition resource, ObjectName name, JsonObject node) =>
        new(resource, name, node.ResourceVersion(), node, JsonWire.Bytes(node), node.Labels());

    private static bool IsCrd(ResourceDefinition resource) => resource is { Group: "apiextensions.k8s.io", Plural: "customresourcedefinitions" };

    private static string RandomSuffix()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Create(5, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = alphabet[Random.Shared.Next(alphabet.Length)];
        });
    }

    private static byte[] ListJson(ResourceDefinition resource, long resourceVersion, IReadOnlyList<StoredObject> items, string? next, long? remaining)
    {
        using var buffer = new MemoryStream(256 + items.Sum(i => i.Json.Length + 1));
        using (var writer = new Utf8JsonWriter(buffer, JsonWire.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", resource.ListKind);
            writer.WriteString("apiVersion", resource.ApiVersion);
            writer.WriteStartObject("metadata");
            writer.WriteString("resourceVersion", resourceVersion.ToString(CultureInfo.InvariantCulture));
            if (next is not null) writer.WriteString("continue", next);
            if (remaining is { } count) writer.WriteNumber("remainingItemCount", count);
            writer.WriteEndObject();
            writer.WriteStartArray("items");
            foreach (var item in items) writer.WriteRawValue(item.Json, skipInputValidation: true);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Opaque list continuation: the list's resourceVersion and the last key returned.</summary>
    private static class ContinueToken
    {
        public static string Write(long resourceVersion, ObjectName last) =>
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{resourceVersion}\n{last.Namespace}\n{last.Name}"));

        public static (long ResourceVersion, ObjectName After) Read(string token)
        {
            try
            {
                var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split('\n');
                return (long.Parse(parts[0], CultureInfo.InvariantCulture), new ObjectName(parts[1], parts[2]));
            }
            catch (Exception e) when (e is FormatException or IndexOutOfRangeException or OverflowException)
            {
                throw new ApiException(FakeFailure.BadRequest("continue key is not valid: incorrect encoded start resourceVersion"));
            }
        }
    }
}
