using GoCoffee.AiWorkload.CustomResources;
using GoCoffee.AiWorkload.Deployment;
using GoCoffee.AiWorkload.Models;
using GoCoffee.AiWorkload.Scaling;
using GoCoffee.AiWorkload.Tenants;
using GoCoffee.AiWorkload.Workloads;
using GoCoffee.ServiceDefaults;
using GoCoffee.ServiceDefaults.Messaging;

namespace GoCoffee.AiWorkload;

public static class AiWorkloadService
{
    public static readonly ServiceIdentity Identity = new("ai-workload", "/api/ai");

    public static IHostApplicationBuilder AddAiWorkloadService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AiWorkloadOptions>().Bind(builder.Configuration.GetSection(AiWorkloadOptions.Section))
            .Validate(o => o.Runtimes.Count > 0 && o.Runtimes.Values.All(r => r.Image.Length > 0 && r.Port is > 0 and < 65536) && o.StepTimeout > TimeSpan.Zero && o.ReadyTimeout > TimeSpan.Zero, "AiWorkloads: every runtime needs an image and a port; StepTimeout and ReadyTimeout must be positive.")
            .ValidateOnStart();
        builder.Services.AddScoped<LoadedWorkload>();
        builder.Services.AddOptions<GpuAutoscalerOptions>().Bind(builder.Configuration.GetSection(GpuAutoscalerOptions.Section))
            .Validate(o => o.Interval > TimeSpan.Zero && o.Tolerance is >= 0 and < 1 && o.Query.Length > 0, "AiWorkloads:Autoscaler: Interval positive, Tolerance in [0, 1), Query set.")
            .ValidateOnStart();
        builder.Services.AddHttpClient(nameof(GpuAutoscaler), client => client.Timeout = TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton<GpuAutoscaler>();
        builder.Services.AddHostedService(services => services.GetRequiredService<GpuAutoscaler>());
        builder.Services.AddHostedService<Metrics.AiWorkloadMetrics>();
        builder.AddPlatformService(
            Identity,
            store =>
            {
                store.Schema.For<TenantAi>();
                store.Schema.For<TenantAiRemoval>();
                store.Schema.For<RegisteredModel>().UseOptimisticConcurrency(true).Index(m => m.TenantId);
                store.Schema.For<RemovedModel>().Index(m => m.TenantId);
                store.Schema.For<RegistryObject>().Index(o => o.TenantId);
                store.Schema.For<Workloads.AiWorkload>().UseOptimisticConcurrency(true).Index(w => w.TenantId);
                store.Schema.For<GpuScalerState>().UseOptimisticConcurrency(true);
                store.AddSaga<AiDeploymentState>();
            },
            bus =>
            {
                bus.AddConsumer<TenantServicesChangedConsumer>();
                bus.AddConsumer<TenantDeletedConsumer>();
                bus.AddConsumer<RemoveTenantAiWorkloadsConsumer>();
                bus.AddConsumer<ModelAliasMovedConsumer>();
                bus.AddConsumer<ModelVersionArchivedConsumer>();
                bus.AddConsumer<GpuScaleReservationConsumer>();
                bus.AddConsumer<GpuUtilisationConsumer>(typeof(GpuUtilisationConsumerDefinition));
                bus.AddConsumer<AiWorkloadResourceAppliedConsumer>();
                bus.AddConsumer<AiWorkloadResourceDeletedConsumer>();
                bus.AddConsumer<ModelRegistryResourceAppliedConsumer>();
                bus.AddConsumer<ModelRegistryResourceDeletedConsumer>();
                bus.AddSagaStateMachine<AiDeploymentStateMachine, AiDeploymentState>().MartenRepository();
            });
        return builder;
    }

    public static IEndpointRouteBuilder MapAiWorkloadApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup(Identity.RoutePrefix).WithTags("ai-workload");
        api.MapModelsApi();
        api.MapWorkloadsApi();
        api.MapGet("/schemas/gpu-utilisation.json", () => Results.Text(GpuUtilisationSchema.Events.Text, "application/schema+json")).AllowAnonymous().WithName("GpuUtilisationSchema").WithSummary("The JSON Schema of GPU utilisation events published on the ai-workload-gpu-utilisation exchange.");
        return endpoints;
    }
}
