using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.Objects;
using GoCoffee.Contracts;
using GoCoffee.ServiceDefaults;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Polly;

namespace GoCoffee.ClusterAgent.Targets;

/// <summary>
/// A real cluster, through the generic (custom objects) API so that every kind, built-in or custom, takes the same
/// path: server-side apply as field manager <c>gocoffee-cluster-agent</c> with <c>force=true</c> (the platform's
/// fields are the platform's), deletes guarded by the platform's labels and a resourceVersion precondition, and every
/// request retried on transient failures by <see cref="KubernetesRetry"/>.
/// </summary>
public sealed class KubernetesApiTarget : IClusterTarget
{
    private const int DeleteAttempts = 3;

    private readonly IKubernetes _client;
    private readonly ResiliencePipeline _retry;

    public KubernetesApiTarget(IKubernetes client, KubernetesRequestOptions options, ILogger<KubernetesApiTarget> logger)
    {
        _client = client;
        _retry = KubernetesRetry.Pipeline(options, logger);
    }

    /// <summary>The API server's address.</summary>
    public Uri Server => _client.BaseUri;

    public async Task<ApplyOutcome> ApplyAsync(JsonObject manifest, CancellationToken cancellationToken = default)
    {
        var reference = manifest.Reference();
        using var activity = Start("apply", reference);
        var resource = Resource(reference);

        // Read first: whether the object existed before decides whether a failed step may remove it again.
        var before = await GetAsync(reference, cancellationToken);
        manifest.EnsureNotAdopting(before);

        if (before is not null && manifest.AppliedByCommand() is { } command && before.AppliedByCommand() == command)
        {
            // This command already applied the object (it is being delivered again): applying once is the contract.
            activity?.SetTag("gocoffee.cluster.outcome", "AlreadyApplied");
            return ApplyOutcome.Unchanged;
        }

        var patch = new V1Patch(manifest.ToJsonString(), V1Patch.PatchType.ApplyPatch);
        var applied = await Call(reference, async token =>
        {
            var response = reference.Namespace is null
                ? await _client.CustomObjects.PatchClusterCustomObjectWithHttpMessagesAsync(
                    patch, resource.Kind.Group, resource.Kind.Version, resource.Plural, reference.Name,
                    fieldManager: PlatformLabels.FieldManager, force: true, cancellationToken: token)
                : await _client.CustomObjects.PatchNamespacedCustomObjectWithHttpMessagesAsync(
                    patch, resource.Kind.Group, resource.Kind.Version, reference.Namespace, resource.Plural, reference.Name,
                    fieldManager: PlatformLabels.FieldManager, force: true, cancellationToken: token);
            return WithKind(ToObject(response.Body, resource.Kind), resource.Kind);
        }, cancellationToken);

        var outcome = before is null ? ApplyOutcome.Created
            : before.ResourceVersion() == applied.ResourceVersion() ? ApplyOutcome.Unchanged
            : ApplyOutcome.Configured;
        activity?.SetTag("gocoffee.cluster.outcome", outcome.ToString());
        return outcome;
    }

    public async Task<JsonObject?> GetAsync(ClusterObjectRef reference, CancellationToken cancellationToken = default)
    {
        var resource = Resource(reference);
        return await Call(reference, async token =>
        {
            try
            {
                var response = reference.Namespace is null
                    ? await _client.CustomObjects.GetClusterCustomObjectWithHttpMessagesAsync(
                        resource.Kind.Group, resource.Kind.Version, resource.Plural, reference.Name, cancellationToken: token)
                    : await _client.CustomObjects.GetNamespacedCustomObjectWithHttpMessagesAsync(
                        resource.Kind.Group, resource.Kind.Version, reference.Namespace, resource.Plural, reference.Name, cancellationToken: token);
                return WithKind(ToObject(response.Body, resource.Kind), resource.Kind);
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<JsonObject>> ListAsync(ObjectKind kind, string? @namespace, IReadOnlyDictionary<string, string>? labels, CancellationToken cancellationToken = default)
    {
        var resource = KnownResources.For(kind, @namespace is not null);
        var selector = labels is { Count: > 0 } ? string.Join(',', labels.Select(label => $"{label.Key}={label.Value}")) : null;
        var scope = new ClusterObjectRef(kind.ApiVersion, kind.Kind, @namespace, "*");
        return await Call(scope, async token =>
        {
            try
            {
                var response = @namespace is null
                    ? await _client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync(
                        resource.Kind.Group, resource.Kind.Version, resource.Plural, labelSelector: selector, cancellationToken: token)
                    : await _client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync(
                        resource.Kind.Group, resource.Kind.Version, @namespace, resource.Plural, labelSelector: selector, cancellationToken: token);
                var list = ToObject(response.Body, kind);
                return (IReadOnlyList<JsonObject>)(list["items"] as JsonArray ?? [])
                    .OfType<JsonObject>()
                    .Select(item => WithKind(item.DeepClone().AsObject(), kind))
                    .ToList();
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                // The kind is not served by this cluster (a CRD not installed): nothing of it can exist.
                return [];
            }
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<JsonObject>> ListManagedAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        var labels = new Dictionary<string, string> { [PlatformLabels.ManagedBy] = PlatformLabels.ManagedByPlatform, [PlatformLabels.Tenant] = tenantId };
        var found = new List<JsonObject>();
        foreach (var resource in KnownResources.All)
        {
            found.AddRange(await ListAsync(resource.Kind, @namespace: null, labels, cancellationToken));
        }

        return found;
    }

    public async Task<DeleteOutcome> DeleteAsync(ClusterObjectRef reference, string tenantId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        using var activity = Start("delete", reference);
        var resource = Resource(reference);
        for (var attempt = 1; ; attempt++)
        {
            var current = await GetAsync(reference, cancellationToken);
            if (current is null)
            {
                return DeleteOutcome.NotFound;
            }

            if (!current.IsManagedFor(tenantId))
            {
                return DeleteOutcome.NotManaged;
            }

            // The precondition makes "is it still ours?" and the delete one decision: if anyone changed the object
            // since it was read (its labels, say), the server refuses with 409 and it is read and judged again.
            var options = new V1DeleteOptions
            {
                PropagationPolicy = "Background",
                Preconditions = new V1Preconditions
                {
                    ResourceVersion = current.ResourceVersion(),
                    Uid = (string?)current["metadata"]?["uid"],
                },
            };
            try
            {
                await Call(reference, async token =>
                {
                    if (reference.Namespace is null)
                    {
                        await _client.CustomObjects.DeleteClusterCustomObjectWithHttpMessagesAsync(
                            resource.Kind.Group, resource.Kind.Version, resource.Plural, reference.Name, body: options, cancellationToken: token);
                    }
                    else
                    {
                        await _client.CustomObjects.DeleteNamespacedCustomObjectWithHttpMessagesAsync(
                            resource.Kind.Group, resource.Kind.Version, reference.Namespace, resource.Plural, reference.Name, body: options, cancellationToken: token);
                    }

                    return true;
                }, cancellationToken);
                return DeleteOutcome.Deleted;
            }
            catch (ClusterRequestFailedException ex) when (ex.StatusCode == (int)HttpStatusCode.NotFound)
            {
                return DeleteOutcome.NotFound;
            }
            catch (ClusterRequestFailedException ex) when (ex.StatusCode == (int)HttpStatusCode.Conflict && attempt < DeleteAttempts)
            {
                activity?.AddEvent(new ActivityEvent("precondition failed; reading again"));
            }
        }
    }

    public async Task<JsonObject?> ScaleAsync(ClusterObjectRef workload, int replicas, IReadOnlyDictionary<string, string?> annotations, CancellationToken cancellationToken = default)
    {
        using var activity = Start("scale", workload);
        var resource = Resource(workload);

        // A JSON merge patch: replicas and annotations change together, and a null annotation is removed.
        var body = new JsonObject
        {
            ["metadata"] = new JsonObject { ["annotations"] = new JsonObject(annotations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value))) },
            ["spec"] = new JsonObject { ["replicas"] = replicas },
        };
        var patch = new V1Patch(body.ToJsonString(), V1Patch.PatchType.MergePatch);
        return await Call(workload, async token =>
        {
            try
            {
                var response = await _client.CustomObjects.PatchNamespacedCustomObjectWithHttpMessagesAsync(
                    patch, resource.Kind.Group, resource.Kind.Version, workload.Namespace ?? string.Empty, resource.Plural, workload.Name,
                    fieldManager: PlatformLabels.FieldManager, cancellationToken: token);
                return WithKind(ToObject(response.Body, resource.Kind), resource.Kind);
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }, cancellationToken);
    }

    private static ApiResource Resource(ClusterObjectRef reference) => KnownResources.For(ObjectKind.Of(reference), reference.Namespace is not null);

    /// <summary>Runs one request with the retries, and turns whatever still fails into the platform's exception naming the object.</summary>
    private async Task<T> Call<T>(ClusterObjectRef reference, Func<CancellationToken, Task<T>> request, CancellationToken cancellationToken)
    {
        try
        {
            return await _retry.ExecuteAsync(async token => await request(token), cancellationToken);
        }
        catch (HttpOperationException ex)
        {
            var status = ex.Response is null ? 0 : (int)ex.Response.StatusCode;
            throw new ClusterRequestFailedException(reference, status, StatusMessage(ex), KubernetesRetry.IsTransient(ex.Response?.StatusCode), ex);
        }
        catch (Exception ex) when (KubernetesRetry.IsTransient(ex, cancellationToken))
        {
            throw new ClusterRequestFailedException(reference, 0, $"the Kubernetes API server did not answer: {ex.Message}", transient: true, ex);
        }
    }

    /// <summary>The message of the API server's <c>Status</c> answer, which names the field and the rule.</summary>
    private static string StatusMessage(HttpOperationException ex)
    {
        var content = ex.Response?.Content;
        if (!string.IsNullOrWhiteSpace(content))
        {
            try
            {
                if (JsonNode.Parse(content) is JsonObject status && (string?)status["message"] is { Length: > 0 } message)
                {
                    return message;
                }
            }
            catch (JsonException)
            {
                // Not a Status object (a proxy's error page, say): the raw answer below says more than nothing.
            }

            return content.Length > 500 ? content[..500] : content;
        }

        return ex.Response?.ReasonPhrase ?? ex.Message;
    }

    private static JsonObject ToObject(object? body, ObjectKind kind) => body switch
    {
        JsonElement element => JsonNode.Parse(element.GetRawText())!.AsObject(),
        JsonObject node => node,
        null => throw new InvalidOperationException($"The API server answered with no body for {kind}."),
        _ => JsonNode.Parse(KubernetesJson.Serialize(body))!.AsObject(),
    };

    /// <summary>Items of a list of built-in kinds come without apiVersion and kind; the caller knows them.</summary>
    private static JsonObject WithKind(JsonObject item, ObjectKind kind)
    {
        item["apiVersion"] ??= kind.ApiVersion;
        item["kind"] ??= kind.Kind;
        return item;
    }

    private static Activity? Start(string operation, ClusterObjectRef reference)
    {
        var activity = Telemetry.Source.StartActivity($"kubernetes {operation} {reference.Kind}");
        activity?.SetTag("k8s.namespace.name", reference.Namespace);
        activity?.SetTag("gocoffee.cluster.object", reference.ToString());
        return activity;
    }
}
