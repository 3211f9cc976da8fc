using Yarp.ReverseProxy.Configuration;

// The baseline of the gateway benchmark: YARP with nothing but two pass-through routes (no authentication, rate
// limiting, logging, telemetry or transforms beyond YARP's defaults), what any YARP gateway costs at the least.
// Bench:Tenant and Bench:Ai are the services' addresses; Urls where it listens.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
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
app.MapReverseProxy();
app.Run();

string Required(string key) => builder.Configuration[key] ?? throw new InvalidOperationException($"{key} is not set.");
