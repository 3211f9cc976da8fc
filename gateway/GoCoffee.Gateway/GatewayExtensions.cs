using GoCoffee.Gateway.Callers;
using GoCoffee.Gateway.Docs;
using GoCoffee.Gateway.Edge;
using GoCoffee.Gateway.Forwarding;
using GoCoffee.Gateway.Health;
using GoCoffee.Gateway.Tenancy;
using GoCoffee.ServiceDefaults;
using GoCoffee.ServiceDefaults.Security;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;

namespace GoCoffee.Gateway;

public static class GatewayExtensions
{
    public static readonly ServiceIdentity Identity = new("gateway", "/gateway");

    /// <summary>
    /// The gateway: routes and clusters from <c>ReverseProxy</c> configuration; authentication (API keys, JWTs), tenant
    /// resolution and access, per-tenant rate limits, timeouts and body limits named per route; retries, passive and
    /// active health (circuit breaking) per cluster. No database: its tenant directory lives in memory.
    /// </summary>
    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDefaults(Identity);
        builder.AddInternalTokenIssuer();
        builder.AddGatewayDocument();
        builder.AddEdge();
        builder.AddCallerAuthentication();
        builder.AddTenantDirectory(Identity);
        builder.AddTenantRateLimits();
        builder.Services.AddRequestTimeouts();

        builder.Services.AddOptions<ForwardingOptions>().Bind(builder.Configuration.GetSection(ForwardingOptions.Section));
        builder.Services.AddSingleton<IForwarderHttpClientFactory, GatewayHttpClientFactory>();
        builder.Services.Configure<TransportFailureRateHealthPolicyOptions>(builder.Configuration.GetSection("Gateway:PassiveHealth"));
        var proxy = builder.Configuration.GetSection("ReverseProxy");
        builder.Services.AddReverseProxy().LoadFromConfig(proxy).AddForwardedIdentity().AddServiceDocuments();
        builder.AddDownstreamHealth(proxy.GetSection("Clusters"));
        builder.AddGatewayReadiness();
        builder.AddUnauthenticatedLimits();
        return builder;
    }

    /// <summary>After <c>MapDefaultEndpoints</c> (which authenticates and authorizes): rate limits, timeouts, docs, the proxy.</summary>
    public static WebApplication MapGateway(this WebApplication app)
    {
        app.UseRateLimiter();
        app.UseRequestTimeouts();
        app.MapApiReference();
        app.MapReverseProxy(pipeline =>
        {
            pipeline.UseMiddleware<ForwardingResilience>();
            pipeline.UseSessionAffinity();
            pipeline.UseLoadBalancing();
            pipeline.UsePassiveHealthChecks();
        });
        return app;
    }
}
