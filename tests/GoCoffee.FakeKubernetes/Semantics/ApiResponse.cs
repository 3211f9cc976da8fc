using System.Text.Json;
using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

/// <summary>A finished JSON answer.</summary>
internal sealed record ApiResponse(int StatusCode, byte[] Body)
{
    public static ApiResponse Of(int statusCode, JsonNode node) => new(statusCode, JsonWire.Bytes(node));

    public static ApiResponse Of(FakeFailure failure) => Of(failure.Code, failure.ToStatus());

    /// <summary>The Success <c>Status</c> a delete answers with.</summary>
    public static ApiResponse Deleted(ResourceDefinition resource, StoredObject obj)
    {
        var details = new JsonObject { ["name"] = obj.Name.Name };
        if (resource.Group.Length > 0) details["group"] = resource.Group;
        details["kind"] = resource.Plural;
        details["uid"] = obj.Node.MetaString("uid");
        return Of(200, new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["details"] = details,
        });
    }
}

/// <summary>Query options of a write: <c>fieldManager</c>, <c>dryRun</c>, <c>force</c>.</summary>
internal sealed record WriteOptions(string Manager, bool ManagerGiven, bool DryRun, bool Force, bool ForceGiven = false);

/// <summary>Query options of a list or watch.</summary>
internal sealed record ListOptions(LabelSelector Labels, FieldSelector Fields, int? Limit, string? Continue)
{
    /// <summary>For use under the store's lock (may read the object's node).</summary>
    public bool Matches(StoredObject obj) =>
        Labels.Matches(obj.Labels) &&
        (Fields.IsEmpty || (Fields.OnlyMetadata ? Fields.Matches(obj.Name.Namespace, obj.Name.Name) : Fields.Matches(obj.Node)));

    /// <summary>For use outside the lock (watch streams): reads the object's serialised form when a field selector needs it.</summary>
    public bool MatchesDetached(StoredObject obj) =>
        Labels.Matches(obj.Labels) &&
        (Fields.IsEmpty || (Fields.OnlyMetadata
            ? Fields.Matches(obj.Name.Namespace, obj.Name.Name)
            : Fields.Matches(System.Text.Json.Nodes.JsonNode.Parse(obj.Json)!.AsObject())));
}
