using System.Text.Json.Nodes;

namespace GoCoffee.ClusterAgent.CustomResources;

/// <summary>
/// What one kind of custom resource means to the platform; one per kind. It runs in a DI scope whose Marten session
/// the watch commits together with the cursor, so whatever a reconciler stages there (outbox messages above all) is
/// sent exactly when the event counts as handled. Throwing means "retry later": the watch backs off and the event
/// comes again from the stored cursor.
/// </summary>
public interface ICustomResourceReconciler
{
    static abstract WatchedResource Resource { get; }

    /// <summary>A generation of <paramref name="resource"/> not handed on before: it was created or its spec changed.</summary>
    Task ReconcileAsync(JsonObject resource, CancellationToken cancellationToken);

    /// <summary>The object is gone (<paramref name="lastKnown"/> is its last state, or null when a relist found it missing).</summary>
    Task DeletedAsync(string? @namespace, string name, JsonObject? lastKnown, CancellationToken cancellationToken);
}
