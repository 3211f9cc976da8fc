using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.Objects;
using GoCoffee.Contracts;

namespace GoCoffee.ClusterAgent.Targets;

/// <summary>
/// Where the cluster-agent's objects go: a Kubernetes API server, or a folder of manifests when there is no cluster.
/// Every operation that fails for good throws <see cref="ClusterRequestFailedException"/> naming the object.
/// </summary>
public interface IClusterTarget
{
    /// <summary>
    /// Makes the object match <paramref name="manifest"/>, owning the fields it names (server-side apply). An object that
    /// already exists without the platform's labels for the manifest's tenant is never adopted: 409, nothing changes.
    /// </summary>
    Task<ApplyOutcome> ApplyAsync(JsonObject manifest, CancellationToken cancellationToken = default);

    /// <returns>The object as stored, or null when there is none.</returns>
    Task<JsonObject?> GetAsync(ClusterObjectRef reference, CancellationToken cancellationToken = default);

    /// <summary>Objects of one kind, in one namespace or (null) all, that carry every label in <paramref name="labels"/>.</summary>
    Task<IReadOnlyList<JsonObject>> ListAsync(ObjectKind kind, string? @namespace, IReadOnlyDictionary<string, string>? labels, CancellationToken cancellationToken = default);

    /// <summary>Every object labelled as the platform's for the tenant: its namespaces and what the platform put anywhere for it.</summary>
    Task<IReadOnlyList<JsonObject>> ListManagedAsync(string tenantId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes the object only if it carries the platform's managed-by label and <paramref name="tenantId"/>'s label
    /// (required: no delete matches every tenant); anything else is left alone and reported as <see cref="DeleteOutcome.NotManaged"/>.
    /// </summary>
    Task<DeleteOutcome> DeleteAsync(ClusterObjectRef reference, string tenantId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets a workload's (Deployment, StatefulSet) replicas and the given annotations in one change; an annotation
    /// whose value is null is removed.
    /// </summary>
    /// <returns>The workload as stored afterwards, or null when it does not exist.</returns>
    Task<JsonObject?> ScaleAsync(ClusterObjectRef workload, int replicas, IReadOnlyDictionary<string, string?> annotations, CancellationToken cancellationToken = default);
}

/// <summary>What an apply did, in <c>kubectl apply</c>'s words.</summary>
public enum ApplyOutcome
{
    Created,
    Configured,
    Unchanged,
}

public enum DeleteOutcome
{
    Deleted,
    NotFound,

    /// <summary>The object exists but is not the platform's (or not the tenant's): it was left alone.</summary>
    NotManaged,
}
