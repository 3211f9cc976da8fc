using GoCoffee.ClusterAgent.AiWorkloads;
using GoCoffee.ClusterAgent.CustomResources;
using GoCoffee.ClusterAgent.Deletion;
using GoCoffee.ClusterAgent.Observability;
using GoCoffee.ClusterAgent.Provisioning;
using GoCoffee.ClusterAgent.Targets;
using GoCoffee.ClusterAgent.Tenants;
using GoCoffee.ClusterAgent.Workloads;
using GoCoffee.ServiceDefaults;

namespace GoCoffee.ClusterAgent;

public static class ClusterAgentService
{
    public static readonly ServiceIdentity Identity = new("cluster-agent", "/api/cluster-agent");

    public static IHostApplicationBuilder AddClusterAgentService(this IHostApplicationBuilder builder)
    {
        var bridge = builder.BridgesCustomResources();
        builder.AddPlatformService(Identity, store: options =>
        {
            WatchDocuments.Register(options);
            options.Schema.For<AiDeploymentWatch>();
        }, bus: bus =>
        {
            bus.AddConsumer<ApplyAiWorkloadConsumer>();
            bus.AddConsumer<DeleteAiWorkloadObjectsConsumer>();
            bus.AddConsumer<ScaleAiWorkloadConsumer>();
            bus.AddConsumer<ApplyObservabilityStackConsumer>();
            bus.AddConsumer<DeleteObservabilityStackObjectsConsumer>();
            bus.AddConsumer<ProvisionTenantMonitoringConsumer>();
            bus.AddConsumer<ProvisionTenantNamespacesConsumer>();
            bus.AddConsumer<ScaleTenantWorkloadsConsumer>();
            bus.AddConsumer<PlanTenantDeletionConsumer>();
            bus.AddConsumer<DeleteTenantObjectsConsumer>();
            if (bridge)
            {
                bus.AddCustomResourceConsumers();
            }
        });
        builder.AddClusterTarget();
        builder.AddCustomResourceBridge(bridge);
        builder.Services.AddOptions<TenantNetworkOptions>().BindConfiguration(TenantNetworkOptions.Section);
        builder.Services.AddOptions<TenantMonitoringOptions>().BindConfiguration(TenantMonitoringOptions.Section)
            .Validate(o => Uri.TryCreate(o.AlertIntakeUrl, UriKind.Absolute, out _), "ClusterAgent:Monitoring:AlertIntakeUrl must be an absolute URL.").ValidateOnStart();
        builder.Services.AddOptions<AiWorkloadAgentOptions>().BindConfiguration(AiWorkloadAgentOptions.Section)
            .Validate(o => o.WatchInterval > TimeSpan.Zero, "ClusterAgent:AiWorkloads:WatchInterval must be positive.").ValidateOnStart();
        builder.Services.AddHostedService<AiDeploymentWatcher>();
        return builder;
    }

    public static IEndpointRouteBuilder MapClusterAgentApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup(Identity.RoutePrefix).WithTags("cluster-agent");
        return endpoints;
    }
}
