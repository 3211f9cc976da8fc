using GoCoffee.Observability.Alerts;
using GoCoffee.Observability.Console;
using GoCoffee.Observability.Probes;
using GoCoffee.Observability.Stacks;
using GoCoffee.ServiceDefaults;

namespace GoCoffee.Observability;

public static class ObservabilityService
{
    public static readonly ServiceIdentity Identity = new("observability", "/api/observability");

    public static IHostApplicationBuilder AddObservabilityService(this IHostApplicationBuilder builder)
    {
        builder.AddObservabilityStacks();
        builder.AddPlatformService(
            Identity,
            store =>
            {
                store.Schema.For<ProbeAnswer>().Index(x => x.ProbeId);
                store.AddObservabilityStacks();
            },
            bus =>
            {
                bus.AddConsumer<ProbeAnswerConsumer>();
                bus.AddObservabilityStacks();
                bus.AddConsoleConsumers(Identity);
            });
        builder.AddAlerts();
        builder.AddConsole();
        return builder;
    }

    public static IEndpointRouteBuilder MapObservabilityApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup(Identity.RoutePrefix).WithTags("observability");
        api.MapProbesApi();
        api.MapStacksApi();
        api.MapAlertsApi();
        endpoints.MapConsole(api);
        return endpoints;
    }
}
