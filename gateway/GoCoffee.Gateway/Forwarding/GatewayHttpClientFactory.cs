using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace GoCoffee.Gateway.Forwarding;

/// <summary>YARP's handler with a short connect timeout: a service that does not accept connections fails fast (503), never hangs.</summary>
internal sealed class GatewayHttpClientFactory(ILogger<ForwarderHttpClientFactory> logger, IOptions<ForwardingOptions> options) : ForwarderHttpClientFactory(logger)
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.ConnectTimeout = options.Value.ConnectTimeout;
    }
}
