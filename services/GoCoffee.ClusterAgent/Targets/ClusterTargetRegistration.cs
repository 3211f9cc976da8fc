using k8s;
using Microsoft.Extensions.Options;

namespace GoCoffee.ClusterAgent.Targets;

public static class ClusterTargetRegistration
{
    /// <summary>
    /// Registers the one <see cref="IClusterTarget"/> the configuration asks for (see <see cref="ClusterAgentOptions.Target"/>).
    /// The choice is made once at startup and logged, so a process never silently writes files when a cluster was meant.
    /// </summary>
    public static IHostApplicationBuilder AddClusterTarget(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ClusterAgentOptions.Section);
        builder.Services.AddOptions<ClusterAgentOptions>().Bind(section);
        var options = section.Get<ClusterAgentOptions>() ?? new ClusterAgentOptions();

        var target = TargetName(options);
        if (target == ClusterAgentOptions.KubernetesTarget)
        {
            builder.Services.AddSingleton<IKubernetes>(_ => new Kubernetes(ClientConfiguration(options)));
            builder.Services.AddSingleton<IClusterTarget>(services => new KubernetesApiTarget(
                services.GetRequiredService<IKubernetes>(),
                services.GetRequiredService<IOptions<ClusterAgentOptions>>().Value.Kubernetes,
                services.GetRequiredService<ILogger<KubernetesApiTarget>>()));
        }
        else if (target == ClusterAgentOptions.ManifestsTarget)
        {
            var folder = Path.Combine(builder.Environment.ContentRootPath, options.ManifestsPath);
            builder.Services.AddSingleton<IClusterTarget>(services => new ManifestsFolderTarget(folder, services.GetRequiredService<ILogger<ManifestsFolderTarget>>()));
        }
        else
        {
            throw new InvalidOperationException(
                $"{ClusterAgentOptions.Section}:Target is '{options.Target}'; use '{ClusterAgentOptions.ManifestsTarget}' or '{ClusterAgentOptions.KubernetesTarget}'.");
        }

        builder.Services.AddHostedService(services => new TargetAnnouncement(services.GetRequiredService<IClusterTarget>(), services.GetRequiredService<ILogger<IClusterTarget>>()));
        return builder;
    }

    /// <summary>Whether the configuration aims the agent at a Kubernetes API server (rather than a manifests folder).</summary>
    public static bool TargetsKubernetes(this IHostApplicationBuilder builder) =>
        TargetName(builder.Configuration.GetSection(ClusterAgentOptions.Section).Get<ClusterAgentOptions>() ?? new ClusterAgentOptions())
            == ClusterAgentOptions.KubernetesTarget;

    private static string TargetName(ClusterAgentOptions options) =>
        options.Target?.Trim().ToLowerInvariant() is { Length: > 0 } named ? named
        : KubernetesClientConfiguration.IsInCluster() || !string.IsNullOrEmpty(options.Kubeconfig) ? ClusterAgentOptions.KubernetesTarget
        : ClusterAgentOptions.ManifestsTarget;

    private static KubernetesClientConfiguration ClientConfiguration(ClusterAgentOptions options)
    {
        if (!string.IsNullOrEmpty(options.Kubeconfig))
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(options.Kubeconfig, options.KubeContext);
        }

        return KubernetesClientConfiguration.IsInCluster()
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(currentContext: options.KubeContext);
    }

    private sealed class TargetAnnouncement(IClusterTarget target, ILogger logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (target is ManifestsFolderTarget folder)
            {
                logger.LogInformation("Cluster objects are written as manifests under {ManifestsPath}", folder.Root);
            }
            else if (target is KubernetesApiTarget cluster)
            {
                logger.LogInformation("Cluster objects are applied to the Kubernetes API server at {KubernetesServer}", cluster.Server);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
