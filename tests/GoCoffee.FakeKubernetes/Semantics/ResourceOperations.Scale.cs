using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

internal sealed partial class ResourceOperations
{
    private ApiResponse UpdateScale(Route.Resource route, JsonObject scale, WriteOptions write)
    {
        var context = new WriteContext(write.Manager, "scale", WriteMode.Client, Now, write.DryRun);
        return store.Transact(tx =>
        {
            var current = Existing(tx, route);
            CheckPrecondition(route.Definition, current, scale);
            return ScaleResponse(tx, current, scale, context);
        });
    }

    private ApiResponse PatchScale(Route.Resource route, PatchType type, JsonNode? patch, WriteOptions write)
    {
        var context = new WriteContext(write.Manager, "scale", WriteMode.Client, Now, write.DryRun);
        return store.Transact(tx =>
        {
            var current = Existing(tx, route);
            var scale = ApplyPatch(type == PatchType.Apply ? PatchType.Merge : type, ScaleView.From(route.Definition, current.Node), patch);
            CheckPrecondition(route.Definition, current, scale);
            return ScaleResponse(tx, current, scale, context);
        });
    }

    private ApiResponse ScaleResponse(ObjectStore.StoreTransaction tx, StoredObject current, JsonObject scale, WriteContext context)
    {
        var updated = Replace(tx, current, ScaleView.Apply(current.Resource, current.Node, scale), context);
        return ApiResponse.Of(200, ScaleView.From(current.Resource, updated.Node));
    }
}
