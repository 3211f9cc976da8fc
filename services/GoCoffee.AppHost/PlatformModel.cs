using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GoCoffee.AppHost;

/// <summary>
/// The platform as the app host runs it: the five services, the cluster-agent and the gateway as projects on fixed
/// loopback ports (<c>GoCoffee:Ports</c>), each with its readiness probe as health check, its own RabbitMQ login and the
/// shared PostgreSQL connection string; telemetry goes to the dashboard. A tool the platform needs locally (the chain
/// node, Prometheus and Alertmanager) is one <c>AddExecutable</c> line.
/// </summary>
public static class PlatformModel
{
    /// <summary>Every process of the platform: resource name (also its broker login's and its queues' name), project, default port.</summary>
    public static readonly IReadOnlyList<(string Name, int Port)> Processes =
    [
        ("tenant", 5101),
        ("ai-workload", 5102),
        ("observability", 5103),
        ("orders", 5104),
        ("web3", 5105),
        ("cluster-agent", 5106),
        ("gateway", 8080),
    ];

    /// <summary>Each process's readiness probe: the app host's health check and the gateway's view of it.</summary>
    public const string ReadinessPath = "/health/ready";

    public static void AddGoCoffeePlatform(this IDistributedApplicationBuilder builder)
    {
        var postgres = builder.AddConnectionString("Postgres");
        builder.Services.AddHostedService<CrashRestarts>();

        var tenant = builder.AddPlatformProcess<Projects.GoCoffee_Tenant>("tenant").WithReference(postgres);
        var ai = builder.AddPlatformProcess<Projects.GoCoffee_AiWorkload>("ai-workload").WithReference(postgres);
        // The bearer token Alertmanager's webhook presents to the alert intake (its credentials_file is the machine's copy).
        var alertIntakeToken = builder.AddParameter("observability-alert-intake-token", new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true);
        var observability = builder.AddPlatformProcess<Projects.GoCoffee_Observability>("observability").WithReference(postgres)
            .WithEnvironment("Alerts__IntakeToken", alertIntakeToken);
        // Secrets the orders service refuses to lack outside Development: the key tenants' webhook secrets are sealed
        // under and the sandbox card provider's callback secret. Masked in the dashboard; the machine's (MachineSecrets,
        // kept from run to run) or, without them, generated for this run.
        var webhookKey = builder.AddParameter("orders-webhook-secret-key", new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true);
        var callbackSecret = builder.AddParameter("orders-sandbox-callback-secret", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);
        var orders = builder.AddPlatformProcess<Projects.GoCoffee_Orders>("orders").WithReference(postgres)
            .WithEnvironment("Webhooks__SecretKey", webhookKey)
            .WithEnvironment("Payments__Sandbox__CallbackSecret", callbackSecret);
        var web3 = builder.AddPlatformProcess<Projects.GoCoffee_Web3>("web3").WithReference(postgres);

        // Tools the platform uses locally, one line each (scripts/tools.sh puts them on PATH): a real Ethereum node whose
        // 1 s blocks confirm crypto payments (the web3 service's ethereum network, appsettings.json), and Prometheus
        // with the alert pack and Alertmanager (LocalMonitoring), where the GPU autoscaler reads utilisation. Their state
        // lives under .run/ and is thrown away with it.
        var run = Directory.CreateDirectory(Path.Combine(builder.AppHostDirectory, "..", "..", ".run")).FullName;
        var anvil = builder.AddExecutable("anvil", "anvil", run, "--host", "127.0.0.1", "--port", "8545", "--chain-id", "31337", "--block-time", "1", "--silent");
        var prometheus = builder.AddLocalMonitoring(
            run,
            [.. Processes.Select(process => (process.Name, builder.PortOf(process.Name)))],
            builder.PortOf("observability"),
            builder.PortOf("gateway"));
        web3.WaitFor(anvil);
        ai.WaitFor(prometheus).WithEnvironment("AiWorkloads__Autoscaler__PrometheusUrl", "http://127.0.0.1:9090");

        // Manifests-folder target unless configured otherwise (ClusterAgent:Target, ClusterAgent:Kubeconfig through
        // GoCoffee:Environment:cluster-agent): relative to the repository, as ./run.sh always had it.
        builder.AddPlatformProcess<Projects.GoCoffee_ClusterAgent>("cluster-agent")
            .WithReference(postgres)
            .WithEnvironment("ClusterAgent__ManifestsPath", builder.Configuration["GoCoffee:ClusterAgent:ManifestsPath"]
                ?? Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "..", ".run", "manifests")));

        // The gateway loads the tenant directory from the tenant service at start, so it waits for it; it finds each
        // service at the address the app host gave it (its appsettings.json holds the same defaults).
        var gateway = builder.AddPlatformProcess<Projects.GoCoffee_Gateway>("gateway").WaitFor(tenant);
        foreach (var service in new[] { tenant, ai, observability, orders, web3 })
        {
            gateway.WithEnvironment(
                $"ReverseProxy__Clusters__{service.Resource.Name}__Destinations__primary__Address",
                service.GetEndpoint("http").LoopbackUrl());
            gateway.WithReferenceRelationship(service);
        }

        builder.Eventing.Subscribe<ResourceReadyEvent>(gateway.Resource, (ready, cancellationToken) =>
        {
            var logger = ready.Services.GetRequiredService<ILoggerFactory>().CreateLogger("GoCoffee");
            logger.LogInformation(
                "Go Coffee is up: gateway {Gateway}, operator console {OperatorConsole}, dashboard {Dashboard}, RabbitMQ console {Console}",
                $"http://127.0.0.1:{builder.PortOf("gateway")}",
                $"http://127.0.0.1:{builder.PortOf("gateway")}/console",
                builder.Configuration["ASPNETCORE_URLS"] ?? "(see above)",
                builder.Configuration["GoCoffee:RabbitMq:Console"] ?? "http://127.0.0.1:15672");
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// One process of the platform: no launch profile (the app host decides the address), an HTTP endpoint on its port
    /// that the process binds itself on 127.0.0.1, <c>/health/ready</c> as its health, its broker login, and the
    /// environment every process shares.
    /// </summary>
    private static IResourceBuilder<ProjectResource> AddPlatformProcess<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new()
    {
        var process = builder.AddProject<TProject>(name, options => options.ExcludeLaunchProfile = true)
            .WithHttpEndpoint(port: builder.PortOf(name), isProxied: false)
            .WithHttpHealthCheck(ReadinessPath);
        var endpoint = process.GetEndpoint("http");

        return process
            .WithEnvironment("Urls", endpoint.LoopbackUrl())
            .WithReference(builder.AddConnectionString(BrokerLogins.ConnectionName(name)), connectionName: "RabbitMq")
            .WithEnvironment("Messaging__BrokerUserPrefix", builder.Configuration[BrokerLogins.UserPrefixKey] ?? BrokerLogins.DefaultUserPrefix)
            .WithEnvironment("Platform__UseDevelopmentKeys", builder.Configuration["GoCoffee:DevelopmentKeys"] ?? "true")
            .WithEnvironment(context =>
            {
                // Per-process settings from configuration (GoCoffee:Environment:<process>:<VARIABLE>), read at every
                // start: how the tests point the cluster-agent at their API server or pause a relay before a restart.
                foreach (var setting in builder.Configuration.GetSection($"GoCoffee:Environment:{name}").GetChildren())
                {
                    context.EnvironmentVariables[setting.Key] = setting.Value ?? string.Empty;
                }
            });
    }

    private static int PortOf(this IDistributedApplicationBuilder builder, string name) =>
        builder.Configuration.GetValue<int?>($"GoCoffee:Ports:{name}") ?? Processes.Single(process => process.Name == name).Port;

    /// <summary><c>http://127.0.0.1:{port}</c>: every process listens on loopback only, and "localhost" may resolve to ::1 first.</summary>
    private static ReferenceExpression LoopbackUrl(this EndpointReference endpoint) =>
        ReferenceExpression.Create($"http://127.0.0.1:{endpoint.Property(EndpointProperty.Port)}");
}
