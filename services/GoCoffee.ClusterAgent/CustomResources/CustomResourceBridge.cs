using GoCoffee.ClusterAgent.CustomResources.Ai;
using GoCoffee.ClusterAgent.CustomResources.Observability;
using GoCoffee.ClusterAgent.CustomResources.Tenants;
using GoCoffee.ClusterAgent.Targets;
using MassTransit;

namespace GoCoffee.ClusterAgent.CustomResources;

/// <summary>
/// The custom-resource bridge: the platform's custom resources applied with kubectl or Argo CD go through the same
/// sagas as the API, and their status comes back. Only against a Kubernetes API server: a manifests folder has
/// nothing to watch.
/// </summary>
public static class CustomResourceBridge
{
    /// <summary>Whether the bridge runs: the target is a Kubernetes API server and <c>ClusterAgent:CustomResources:Watch</c> is not false.</summary>
    public static bool BridgesCustomResources(this IHostApplicationBuilder builder) =>
        builder.TargetsKubernetes()
        && (builder.Configuration.GetSection(ClusterAgentOptions.Section).Get<ClusterAgentOptions>()?.CustomResources.Watch ?? true);

    public static void AddCustomResourceConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<TenantStatusChangedConsumer, TenantStatusChangedConsumerDefinition>();
        bus.AddConsumer<AiWorkloadStatusChangedConsumer, AiWorkloadStatusChangedConsumerDefinition>();
        bus.AddConsumer<ModelRegistryStatusChangedConsumer, ModelRegistryStatusChangedConsumerDefinition>();
        bus.AddConsumer<ObservabilityStackStatusChangedConsumer, ObservabilityStackStatusChangedConsumerDefinition>();
    }

    public static IHostApplicationBuilder AddCustomResourceBridge(this IHostApplicationBuilder builder, bool bridge)
    {
        if (!bridge)
        {
            var reason = builder.TargetsKubernetes()
                ? $"{ClusterAgentOptions.Section}:CustomResources:Watch is false"
                : "the target is a manifests folder, with no API server to watch";
            builder.Services.AddHostedService(services => new NotBridged(reason, services.GetRequiredService<ILogger<WatchCursor>>()));
            return builder;
        }

        builder.Services.AddSingleton<TenantStatusWriter>();
        builder.Services.AddScoped<TenantResourceReconciler>();
        builder.Services.AddHostedService<CustomResourceWatch<TenantResourceReconciler>>();

        builder.Services.AddSingleton<CustomObjectStatusWriter>();
        builder.Services.AddSingleton<TenantNamespaceOwner>();
        builder.Services.AddScoped<AiWorkloadResourceReconciler>();
        builder.Services.AddHostedService<CustomResourceWatch<AiWorkloadResourceReconciler>>();
        builder.Services.AddScoped<ModelRegistryResourceReconciler>();
        builder.Services.AddHostedService<CustomResourceWatch<ModelRegistryResourceReconciler>>();
        builder.Services.AddScoped<ObservabilityStackResourceReconciler>();
        builder.Services.AddHostedService<CustomResourceWatch<ObservabilityStackResourceReconciler>>();
        return builder;
    }

    private sealed class NotBridged(string reason, ILogger logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            logger.LogInformation("Custom resources (Tenant, AIWorkload, ModelRegistry, ObservabilityStack) are not watched and their status is not written: {Reason}", reason);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
