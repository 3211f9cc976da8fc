using System.Net.Http.Headers;
using GoCoffee.Gateway.Callers;
using GoCoffee.ServiceDefaults.Security;
using Yarp.ReverseProxy.Transforms;

namespace GoCoffee.Gateway.Forwarding;

/// <summary>
/// What a service receives instead of the client's credentials: the client's <c>Authorization</c> and <c>X-Api-Key</c>
/// are never forwarded; an authenticated caller's request carries the gateway's short-lived internal token, which is
/// the only tenant identity services accept.
/// </summary>
public static class ForwardedIdentity
{
    public static IReverseProxyBuilder AddForwardedIdentity(this IReverseProxyBuilder proxy) =>
        proxy.AddTransforms(transforms =>
        {
            transforms.AddRequestHeaderRemove(ApiKeyAuthentication.Header);
            var issuer = transforms.Services.GetRequiredService<InternalTokenIssuer>();
            transforms.AddRequestTransform(context =>
            {
                var caller = GatewayCaller.Of(context.HttpContext);
                context.ProxyRequest.Headers.Authorization = caller is null ? null : new AuthenticationHeaderValue("Bearer", issuer.Mint(caller.Identity));
                return ValueTask.CompletedTask;
            });
        });
}
