using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.Objects;
using GoCoffee.ClusterAgent.Targets;
using GoCoffee.ClusterAgent.CustomResources.Tenants;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;
using Polly;

namespace GoCoffee.ClusterAgent.CustomResources;

/// <summary>
/// Reads namespaced custom objects of any watched kind and writes their <c>.status</c> as <see cref="TenantStatusWriter"/>
/// does for Tenants: through the <c>/status</c> subresource only, by server-side apply as the platform's field manager,
/// only when the status differs, with the agent's retries. Also records Kubernetes Events on such an object, for what a
/// user of kubectl should see (<c>kubectl describe</c>) without the platform having acted.
/// </summary>
public sealed class CustomObjectStatusWriter
{
    private readonly IKubernetes _client;
    private readonly TimeProvider _clock;
    private readonly ResiliencePipeline _retry;

    public CustomObjectStatusWriter(IKubernetes client, TimeProvider clock, IOptions<ClusterAgentOptions> options, ILogger<CustomObjectStatusWriter> logger)
    {
        _client = client;
        _clock = clock;
        _retry = KubernetesRetry.Pipeline(options.Value.Kubernetes, logger);
    }

    /// <returns>The object, or null when there is none of that name.</returns>
    public async Task<JsonObject?> GetAsync(WatchedResource resource, string @namespace, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await _retry.ExecuteAsync(
                async token =>
                {
                    var response = await _client.CustomObjects.GetNamespacedCustomObjectWithHttpMessagesAsync(
                        resource.Group, resource.Version, @namespace, resource.Plural, name, cancellationToken: token);
                    return ToObject(response.Body);
                },
                cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Makes <paramref name="current"/>'s status <paramref name="status"/>, unless it already is.</summary>
    public async Task<StatusWrite> WriteAsync(WatchedResource resource, JsonObject current, JsonObject status, CancellationToken cancellationToken)
    {
        if (JsonNode.DeepEquals(current["status"], status))
        {
            return StatusWrite.Unchanged;
        }

        var name = current.Name();
        var ns = current.Namespace() ?? throw new ArgumentException($"{resource.Key} {name} has no namespace.", nameof(current));
        var body = new JsonObject
        {
            ["apiVersion"] = resource.ApiVersion,
            ["kind"] = resource.Kind,
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["status"] = status.DeepClone(),
        };
        try
        {
            await _retry.ExecuteAsync(
                async token => await _client.CustomObjects.PatchNamespacedCustomObjectStatusWithHttpMessagesAsync(
                    new V1Patch(body.ToJsonString(), V1Patch.PatchType.ApplyPatch),
                    resource.Group, resource.Version, ns, resource.Plural, name,
                    fieldManager: PlatformLabels.FieldManager, force: true, cancellationToken: token),
                cancellationToken);
            return StatusWrite.Written;
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return StatusWrite.Gone;
        }
    }

    /// <summary>A Warning Event about <paramref name="obj"/> (<c>kubectl describe</c> and <c>kubectl get events</c> show it).</summary>
    public async Task WarnAsync(WatchedResource resource, JsonObject obj, string reason, string message, CancellationToken cancellationToken)
    {
        var ns = obj.Namespace() ?? "default";
        var now = _clock.GetUtcNow().UtcDateTime;
        var warning = new Corev1Event
        {
            ApiVersion = "v1",
            Kind = "Event",
            Metadata = new V1ObjectMeta { GenerateName = $"{obj.Name()}.", NamespaceProperty = ns },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = resource.ApiVersion,
                Kind = resource.Kind,
                NamespaceProperty = ns,
                Name = obj.Name(),
                Uid = obj.Uid(),
                ResourceVersion = (string?)obj["metadata"]?["resourceVersion"],
            },
            Reason = reason,
            Message = message,
            Type = "Warning",
            Source = new V1EventSource { Component = PlatformLabels.FieldManager },
            ReportingComponent = PlatformLabels.FieldManager,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };
        await _retry.ExecuteAsync(async token => await _client.CoreV1.CreateNamespacedEventAsync(warning, ns, cancellationToken: token), cancellationToken);
    }

    private static JsonObject ToObject(object? body) => body switch
    {
        JsonElement element => JsonNode.Parse(element.GetRawText())!.AsObject(),
        JsonObject node => node,
        _ => throw new InvalidOperationException("The API server answered with no object."),
    };
}
