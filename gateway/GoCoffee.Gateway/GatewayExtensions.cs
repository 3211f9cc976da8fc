using GoCoffee.Gateway.Health;
using GoCoffee.ServiceDefaults;

namespace GoCoffee.Gateway;

public static class GatewayExtensions
{
    public static readonly ServiceIdentity Identity = new("gateway", "/gateway");

    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDefaults(Identity);
        var proxy = builder.Configuration.GetSection("ReverseProxy");
        builder.Services.AddReverseProxy().LoadFromConfig(proxy);
        builder.AddDownstreamHealth(proxy.GetSection("Clusters"));
        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        app.MapReverseProxy();
        return app;
    }
}
