using System.Net.Http.Headers;
using GoCoffee.Gateway.Callers;
using GoCoffee.ServiceDefaults.Security;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace GoCoffee.Gateway.Forwarding;

/// <summary>
/// What a service receives instead of the client's credentials: the client's <c>Authorization</c> and <c>X-Api-Key</c>
/// are never forwarded; an authenticated caller's request carries the gateway's short-lived internal token, which is
/// the only tenant identity services accept, and which names the route's cluster as its audience: a token forwarded
/// to the tenant service is worth nothing at any other service.
/// </summary>
public static class ForwardedIdentity
{
    /// <summary>Cluster metadata naming the audience its service accepts, when that is not the cluster's id.</summary>
    public const string AudienceMetadata = "Audience";

    public static IReverseProxyBuilder AddForwardedIdentity(this IReverseProxyBuilder proxy) =>
        proxy.AddTransforms(transforms =>
        {
            transforms.AddRequestHeaderRemove(ApiKeyAuthentication.Header);
            var issuer = transforms.Services.GetRequiredService<InternalTokenIssuer>();
            var audience = AudienceOf(transforms.Cluster) ?? transforms.Route.ClusterId;
            transforms.AddRequestTransform(context =>
            {
                var caller = GatewayCaller.Of(context.HttpContext);
                context.ProxyRequest.Headers.Authorization = caller is null || audience is null
                    ? null
                    : new AuthenticationHeaderValue("Bearer", issuer.Mint(caller.Identity, audience));
                return ValueTask.CompletedTask;
            });
        });

    /// <summary>The audience of internal tokens sent to a cluster's service: its <c>Metadata:Audience</c>, or else the cluster's id (the service's name).</summary>
    public static string? AudienceOf(ClusterConfig? cluster) =>
        cluster is null ? null : cluster.Metadata?.GetValueOrDefault(AudienceMetadata) is { Length: > 0 } audience ? audience : cluster.ClusterId;
}
