using GoCoffee.ServiceDefaults;
using Yarp.ReverseProxy.Configuration;

// The baselines of the gateway benchmark. Bench:Tenant and Bench:Ai are the services' addresses; Urls where it listens.
// - By default, YARP with nothing but two pass-through routes (no authentication, rate limiting, logging, telemetry or
//   transforms beyond YARP's defaults): what any YARP gateway costs at the least.
// - With Bench:PlatformTelemetry=true, the same plus what every process of the platform has: the Serilog request line
//   and OpenTelemetry traces and metrics, exactly as the gateway has them. The gateway's own features cost the
//   difference between this baseline and the gateway.
var builder = WebApplication.CreateSlimBuilder(args);
var telemetry = builder.Configuration.GetValue<bool>("Bench:PlatformTelemetry");
if (telemetry)
{
    var identity = new ServiceIdentity("yarp-baseline", "/yarp-baseline");
    builder.AddStructuredLogging(identity);
    builder.AddTelemetry(identity);
}
else
{
    builder.Logging.ClearProviders();
}

builder.Services.AddReverseProxy().LoadFromMemory(
    [
        new RouteConfig { RouteId = "tenants", ClusterId = "tenant", Match = new RouteMatch { Path = "/api/tenants/{**rest}" } },
        new RouteConfig { RouteId = "ai", ClusterId = "ai", Match = new RouteMatch { Path = "/api/ai/{**rest}" } },
    ],
    [
        new ClusterConfig { ClusterId = "tenant", Destinations = new Dictionary<string, DestinationConfig> { ["primary"] = new() { Address = Required("Bench:Tenant") } } },
        new ClusterConfig { ClusterId = "ai", Destinations = new Dictionary<string, DestinationConfig> { ["primary"] = new() { Address = Required("Bench:Ai") } } },
    ]);

var app = builder.Build();
if (telemetry)
{
    app.UseRequestLogging();
}

app.MapReverseProxy();
app.Run();

string Required(string key) => builder.Configuration[key] ?? throw new InvalidOperationException($"{key} is not set.");
