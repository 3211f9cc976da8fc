using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace GoCoffee.AppHost;

/// <summary>
/// The platform's monitoring as the app host runs it locally: Debian's <c>prometheus</c> scraping every process and
/// RabbitMQ's prometheus plugin with the alert pack of <c>infra/monitoring/rules</c> loaded, and Debian's
/// <c>prometheus-alertmanager</c> (the pack's <c>alertmanager.yml</c>) posting the alerts to the observability service's
/// intake. Both configurations are written for this run (the processes' ports, the observability service's address, the
/// secrets folder) under <c>.run/monitoring-&lt;gateway port&gt;</c>, where their data lives.
/// </summary>
public static class LocalMonitoring
{
    public const int PrometheusPort = 9090;
    public const int AlertmanagerPort = 9093;

    /// <summary>RabbitMQ's prometheus plugin (<c>GoCoffee:RabbitMq:Prometheus</c>).</summary>
    public const string DefaultBrokerMetrics = "127.0.0.1:15692";

    public const string IntakeTokenParameter = "observability-alert-intake-token";

    /// <summary>The observability service's alert intake, as the pack's alertmanager.yml names it for the default port.</summary>
    public const string IntakePath = "/api/observability/alerts/intake";

    public static IResourceBuilder<ExecutableResource> AddLocalMonitoring(
        this IDistributedApplicationBuilder builder, string run, IReadOnlyList<(string Service, int Port)> targets, int observabilityPort, int gatewayPort)
    {
        var repository = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", ".."));
        var pack = Path.Combine(repository, "infra", "monitoring");
        var alertmanagerPort = builder.Configuration.GetValue<int?>("GoCoffee:Ports:alertmanager") ?? AlertmanagerPort;
        var folder = Path.Combine(run, $"monitoring-{gatewayPort.ToString(CultureInfo.InvariantCulture)}");
        var tokenFile = IntakeTokenFile(builder.Configuration, folder);
        var prometheusYaml = PrometheusConfig(
            targets,
            Path.Combine(pack, "rules", "*.yml"),
            $"127.0.0.1:{alertmanagerPort.ToString(CultureInfo.InvariantCulture)}",
            builder.Configuration["GoCoffee:RabbitMq:Prometheus"] ?? DefaultBrokerMetrics);
        var alertmanagerYaml = AlertmanagerConfig(
            File.ReadAllText(Path.Combine(pack, "alertmanager", "alertmanager.yml")),
            $"http://127.0.0.1:{observabilityPort.ToString(CultureInfo.InvariantCulture)}{IntakePath}",
            tokenFile);

        // Written when the model is built (a test reads them without starting anything); a model with other settings
        // writes other files, so two app hosts never share a configuration.
        var configs = Directory.CreateDirectory(Path.Combine(folder, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(prometheusYaml + alertmanagerYaml)))[..12])).FullName;
        var prometheusConfig = Path.Combine(configs, "prometheus.yml");
        File.WriteAllText(prometheusConfig, prometheusYaml);
        var alertmanagerConfig = Path.Combine(configs, "alertmanager.yml");
        File.WriteAllText(alertmanagerConfig, alertmanagerYaml);

        var alertmanager = builder.AddExecutable(
            "alertmanager", "prometheus-alertmanager", folder, $"--config.file={alertmanagerConfig}",
            "--storage.path=alertmanager", $"--web.listen-address=127.0.0.1:{alertmanagerPort.ToString(CultureInfo.InvariantCulture)}",
            // No gossip with other Alertmanagers: it would listen on 0.0.0.0:9094.
            "--cluster.listen-address=");
        return builder.AddExecutable(
                "prometheus", "prometheus", folder, $"--config.file={prometheusConfig}",
                "--storage.tsdb.path=prometheus", $"--web.listen-address=127.0.0.1:{PrometheusPort.ToString(CultureInfo.InvariantCulture)}")
            .WithReferenceRelationship(alertmanager);
    }

    /// <summary>
    /// Prometheus's configuration: every process (label <c>service</c>, as the Prometheus operator sets it from the
    /// Kubernetes Service), RabbitMQ's totals and its per-queue metrics, the alert pack, Alertmanager.
    /// </summary>
    public static string PrometheusConfig(IReadOnlyList<(string Service, int Port)> targets, string rules, string alertmanager, string brokerMetrics)
    {
        var yaml = new StringBuilder();
        yaml.Append(CultureInfo.InvariantCulture, $"""
            global:
              scrape_interval: 5s
              evaluation_interval: 5s
            rule_files:
              - '{rules}'
            alerting:
              alertmanagers:
                - static_configs:
                    - targets: ['{alertmanager}']
            scrape_configs:
              - job_name: go-coffee
                static_configs:

            """);
        foreach (var (service, port) in targets)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"""
                      - targets: ['127.0.0.1:{port}']
                        labels: {"{"}service: {service}{"}"}

                """);
        }

        yaml.Append(CultureInfo.InvariantCulture, $"""
              - job_name: rabbitmq
                static_configs:
                  - targets: ['{brokerMetrics}']
              # Per queue (vhost, queue): depth, unacknowledged, consumers. The plugin's /metrics sums over all queues.
              - job_name: rabbitmq-queues
                metrics_path: /metrics/detailed
                params:
                  family: [queue_coarse_metrics, queue_consumer_count]
                static_configs:
                  - targets: ['{brokerMetrics}']

            """);
        return yaml.ToString();
    }

    /// <summary>The pack's Alertmanager configuration with this run's intake address and token file.</summary>
    public static string AlertmanagerConfig(string pack, string intakeUrl, string tokenFile) => pack
        .Replace($"http://127.0.0.1:5103{IntakePath}", intakeUrl, StringComparison.Ordinal)
        .Replace($"/var/lib/gocoffee/secrets/parameters/{IntakeTokenParameter}", tokenFile, StringComparison.Ordinal);

    /// <summary>
    /// The intake's bearer token as a file Alertmanager reads: the app host's parameter when configured (written into
    /// the run's folder, readable by this user only), otherwise the machine's secrets file, which scripts/infra.sh writes.
    /// </summary>
    private static string IntakeTokenFile(IConfiguration configuration, string folder)
    {
        if (configuration[$"Parameters:{IntakeTokenParameter}"] is { Length: > 0 } token)
        {
            var file = Path.Combine(Directory.CreateDirectory(folder).FullName, IntakeTokenParameter);
            File.WriteAllText(file, string.Empty);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            File.WriteAllText(file, token);
            return file;
        }

        return Path.Combine(MachineSecrets.Folder(configuration), "parameters", IntakeTokenParameter);
    }
}
