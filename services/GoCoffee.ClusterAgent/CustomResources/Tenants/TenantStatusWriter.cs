using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.Objects;
using GoCoffee.ClusterAgent.Targets;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;
using Polly;

namespace GoCoffee.ClusterAgent.CustomResources.Tenants;

public enum StatusWrite
{
    Written,
    Unchanged,

    /// <summary>The object no longer exists.</summary>
    Gone,
}

/// <summary>
/// Reads Tenant custom objects and writes their <c>.status</c>: through the <c>/status</c> subresource only (so spec
/// is never touched), by server-side apply as field manager <c>gocoffee-cluster-agent</c> (fields it stops writing are
/// removed), and only when the status differs from the stored one. Transient failures are retried as every request of
/// the agent is (<see cref="KubernetesRetry"/>).
/// </summary>
public sealed class TenantStatusWriter
{
    private static readonly WatchedResource Resource = TenantResourceReconciler.Resource;

    private readonly IKubernetes _client;
    private readonly ResiliencePipeline _retry;

    public TenantStatusWriter(IKubernetes client, IOptions<ClusterAgentOptions> options, ILogger<TenantStatusWriter> logger)
    {
        _client = client;
        _retry = KubernetesRetry.Pipeline(options.Value.Kubernetes, logger);
    }

    /// <returns>The object, or null when there is none of that name.</returns>
    public async Task<JsonObject?> GetAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await _retry.ExecuteAsync(
                async token =>
                {
                    var response = await _client.CustomObjects.GetClusterCustomObjectWithHttpMessagesAsync(
                        Resource.Group, Resource.Version, Resource.Plural, name, cancellationToken: token);
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
    public async Task<StatusWrite> WriteAsync(JsonObject current, JsonObject status, CancellationToken cancellationToken)
    {
        if (JsonNode.DeepEquals(current["status"], status))
        {
            return StatusWrite.Unchanged;
        }

        var name = current.Name();
        var body = new JsonObject
        {
            ["apiVersion"] = Resource.ApiVersion,
            ["kind"] = Resource.Kind,
            ["metadata"] = new JsonObject { ["name"] = name },
            ["status"] = status.DeepClone(),
        };
        try
        {
            await _retry.ExecuteAsync(
                async token => await _client.CustomObjects.PatchClusterCustomObjectStatusWithHttpMessagesAsync(
                    new V1Patch(body.ToJsonString(), V1Patch.PatchType.ApplyPatch),
                    Resource.Group, Resource.Version, Resource.Plural, name,
                    fieldManager: PlatformLabels.FieldManager, force: true, cancellationToken: token),
                cancellationToken);
            return StatusWrite.Written;
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return StatusWrite.Gone;
        }
    }

    private static JsonObject ToObject(object? body) => body switch
    {
        JsonElement element => JsonNode.Parse(element.GetRawText())!.AsObject(),
        JsonObject node => node,
        _ => throw new InvalidOperationException("The API server answered with no Tenant."),
    };
}
