using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

internal enum PatchType { Json, Merge, Strategic, Apply }

internal sealed partial class ResourceOperations
{
    public static PatchType? PatchTypeOf(string? contentType) =>
        contentType?.Split(';')[0].Trim().ToLowerInvariant() switch
        {
            "application/json-patch+json" => PatchType.Json,
            "application/merge-patch+json" => PatchType.Merge,
            "application/strategic-merge-patch+json" => PatchType.Strategic,
            "application/apply-patch+yaml" or "application/apply-patch+json" => PatchType.Apply,
            _ => null,
        };

    public ApiResponse Patch(Route.Resource route, string body, string? contentType, WriteOptions write)
    {
        var resource = route.Definition;
        var type = PatchTypeOf(contentType) ?? throw new ApiException(new FakeFailure(415, "UnsupportedMediaType",
            $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml{(resource.SupportsStrategicMerge ? ", application/strategic-merge-patch+json" : "")}"));
        if (type == PatchType.Strategic && !resource.SupportsStrategicMerge)
        {
            throw new ApiException(new FakeFailure(415, "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"));
        }
        ValidatePatchOptions(type, write);
        if (type == PatchType.Apply && route.Subresource != "scale") return Apply(route, body, write);

        var patch = type == PatchType.Apply ? Yaml.ParseBody(body) : ParseJson(body);
        if (route.Subresource == "scale") return PatchScale(route, type, patch, write);

        var context = new WriteContext(write.Manager, route.Subresource, WriteMode.Client, Now, write.DryRun);
        return store.Transact(tx =>
        {
            var current = Existing(tx, route);
            var patched = ApplyPatch(type, current.Node.DeepClone(), patch);
            CheckPrecondition(resource, current, patched);
            CheckTypeMeta(resource, patched);
            var proposed = Lifecycle.Compose(resource, current.Node, patched, route.Subresource);
            return new ApiResponse(200, Replace(tx, current, proposed, context).Json);
        });
    }

    /// <summary>Server-side apply: creates when missing, otherwise merges with field ownership (see <see cref="ServerSideApply"/>).</summary>
    private ApiResponse Apply(Route.Resource route, string body, WriteOptions write)
    {
        var resource = route.Definition;
        if (Yaml.ParseBody(body) is not JsonObject applied) throw new ApiException(FakeFailure.BadRequest("the apply configuration must be an object"));
        if (applied.GetString("apiVersion") is null || applied.GetString("kind") is null)
        {
            throw new ApiException(FakeFailure.BadRequest("invalid object: apiVersion and kind must be set for apply"));
        }
        if (applied["metadata"]?["managedFields"] is not null) throw new ApiException(FakeFailure.BadRequest("metadata.managedFields must be nil"));
        CheckTypeMeta(resource, applied);
        CheckNamespace(route, applied);
        CheckName(route, applied);

        var context = new WriteContext(write.Manager, route.Subresource, WriteMode.Apply, Now, write.DryRun);
        var response = store.Transact(tx =>
        {
            var current = tx.Get(resource.Key, new ObjectName(route.Namespace ?? "", route.Name ?? ""));
            if (current is null)
            {
                if (route.Subresource is not null) throw new ApiException(FakeFailure.NotFound(resource.Plural, resource.Group, route.Name ?? ""));
                var created = ServerSideApply.Merge(resource, null, applied, write.Manager, write.Force, null, context.Time);
                return new ApiResponse(201, Insert(tx, resource, created, context).Json);
            }
            CheckPrecondition(resource, current, applied);
            var merged = ServerSideApply.Merge(resource, current.Node, applied, write.Manager, write.Force, route.Subresource, context.Time);
            return new ApiResponse(200, Replace(tx, current, merged, context).Json);
        });
        if (!write.DryRun)
        {
            Applies.Count(new AppliedObject(resource.Group, resource.Plural, route.Namespace, route.Name ?? "", route.Subresource));
        }

        return response;
    }

    /// <summary>The API server's PatchOptions validation (422 Invalid PatchOptions.meta.k8s.io).</summary>
    private static void ValidatePatchOptions(PatchType type, WriteOptions write)
    {
        FakeFailureCause? cause = type switch
        {
            PatchType.Apply when !write.ManagerGiven =>
                new("FieldValueRequired", "Required value: is required for apply patch", "fieldManager"),
            not PatchType.Apply when write.ForceGiven =>
                new("FieldValueForbidden", "Forbidden: may not be specified for non-apply patch", "force"),
            _ => null,
        };
        if (cause is not null) throw new ApiException(FakeFailure.Invalid("PatchOptions", "meta.k8s.io", "", cause));
    }

    private static JsonObject ApplyPatch(PatchType type, JsonNode document, JsonNode? patch)
    {
        var result = type switch
        {
            PatchType.Json => JsonPatch.Apply(document, patch),
            PatchType.Strategic => StrategicMergePatch.Apply(document, patch),
            _ => MergePatch.Apply(document, patch),
        };
        return result as JsonObject ?? throw new ApiException(new FakeFailure(422, "Invalid", "the patch did not produce an object"));
    }

    private static JsonNode? ParseJson(string body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ApiException(FakeFailure.BadRequest($"error decoding patch: {e.Message}"));
        }
    }
}
