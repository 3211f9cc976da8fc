using System.Globalization;
using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

internal sealed partial class ResourceOperations
{
    /// <summary>
    /// DELETE: immediate, unless the object has finalizers — then it gets a deletionTimestamp and stays until an
    /// update removes the last finalizer. Deleting a namespace deletes everything in it; deleting a CRD, its objects.
    /// </summary>
    public ApiResponse Delete(Route.Resource route, JsonObject? deleteOptions, WriteOptions write) => store.Transact(tx =>
    {
        var current = Existing(tx, route);
        CheckDeletePreconditions(current, deleteOptions);
        return write.DryRun ? new ApiResponse(200, current.Json) : DeleteObject(tx, current);
    });

    public ApiResponse DeleteCollection(Route.Resource route, ListOptions list, WriteOptions write) => store.Transact(tx =>
    {
        var resource = route.Definition;
        var targets = tx.List(resource.Key, route.Namespace).Where(list.Matches).ToList();
        var results = write.DryRun ? targets : targets.Select(t => Delete(tx, t)).ToList();
        return new ApiResponse(200, ListJson(resource, tx.ResourceVersion, results, null, null));
    });

    internal StoredObject Delete(ObjectStore.StoreTransaction tx, StoredObject current)
    {
        if (current.Node.Finalizers().Count == 0) return Finalize(tx, current);
        if (current.Node.IsDeleting()) return current;
        var deleting = (JsonObject)current.Node.DeepClone();
        deleting.Metadata()["deletionTimestamp"] = ObjectMeta.Timestamp(Now);
        deleting.Metadata()["deletionGracePeriodSeconds"] = 0;
        if (current.Resource is { Group: "", Plural: "namespaces" }) deleting["status"] = new JsonObject { ["phase"] = "Terminating" };
        return tx.Put(current.Resource, deleting);
    }

    private ApiResponse DeleteObject(ObjectStore.StoreTransaction tx, StoredObject current)
    {
        var result = Delete(tx, current);
        if (tx.Get(current.Resource.Key, current.Name) is not null) return new ApiResponse(200, result.Json);
        return current.Resource.ReturnDeletedObject ? new ApiResponse(200, result.Json) : ApiResponse.Deleted(current.Resource, current);
    }

    /// <summary>Removes the object for good, with what depends on it.</summary>
    private StoredObject Finalize(ObjectStore.StoreTransaction tx, StoredObject current)
    {
        switch (current.Resource)
        {
            case { Group: "", Plural: "namespaces" }:
                foreach (var contained in tx.InNamespace(current.Name.Name)) tx.Remove(contained);
                break;
            case var crd when IsCrd(crd):
                foreach (var key in CrdRegistration.Withdraw(current.Node, registry))
                {
                    foreach (var instance in tx.List(key, null).ToList()) tx.Remove(instance);
                }
                break;
        }
        return tx.Remove(current);
    }

    private static void CheckDeletePreconditions(StoredObject current, JsonObject? deleteOptions)
    {
        if (deleteOptions?["preconditions"] is not JsonObject preconditions) return;
        var resource = current.Resource;
        var uid = preconditions.GetString("uid");
        var actualUid = current.Node.MetaString("uid");
        if (uid is not null && uid != actualUid)
        {
            throw new ApiException(FakeFailure.Conflict(resource.Plural, resource.Group, current.Name.Name,
                $"Precondition failed: UID in precondition: {uid}, UID in object meta: {actualUid}"));
        }
        var version = preconditions.GetString("resourceVersion");
        var actualVersion = current.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        if (version is not null && version != actualVersion)
        {
            throw new ApiException(FakeFailure.Conflict(resource.Plural, resource.Group, current.Name.Name,
                $"Precondition failed: ResourceVersion in precondition: {version}, ResourceVersion in object meta: {actualVersion}"));
        }
    }
}
