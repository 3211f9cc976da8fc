using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace GoCoffee.AppHost.Tests;

/// <summary>Prometheus with the alert pack and Alertmanager posting to the observability intake, as the app host runs them.</summary>
public sealed class LocalMonitoringTests : IDisposable
{
    private readonly string _secrets = Directory.CreateTempSubdirectory("gocoffee-apphost-secrets-").FullName;

    public void Dispose() => Directory.Delete(_secrets, recursive: true);

    [Fact]
    public async Task The_checked_in_prometheus_yml_is_what_the_app_host_writes_for_the_default_ports()
    {
        var written = LocalMonitoring.PrometheusConfig(
            [.. PlatformModel.Processes],
            "../../infra/monitoring/rules/*.yml",
            $"127.0.0.1:{LocalMonitoring.AlertmanagerPort}",
            LocalMonitoring.DefaultBrokerMetrics);
        var checkedIn = await File.ReadAllLinesAsync(Path.Combine(RepositoryRoot(), "services", "GoCoffee.AppHost", "prometheus.yml"));

        Assert.Equal(written.TrimEnd(), string.Join('\n', checkedIn.SkipWhile(line => line.StartsWith('#'))).TrimEnd());
    }

    [Fact]
    public async Task Prometheus_scrapes_every_process_at_its_port_and_rabbitmq_per_queue_loads_the_alert_pack_and_alerts_alertmanager()
    {
        var model = await Model("--GoCoffee:Ports:orders=6104", "--GoCoffee:Ports:alertmanager=6093");

        var config = ConfigFile(await ArgumentsOf(model, "prometheus"));
        var text = await File.ReadAllTextAsync(config);
        Assert.Contains("- targets: ['127.0.0.1:6104']\n        labels: {service: orders}", text, StringComparison.Ordinal);
        Assert.Contains("- targets: ['127.0.0.1:6093']", text, StringComparison.Ordinal);
        Assert.Contains("metrics_path: /metrics/detailed", text, StringComparison.Ordinal);
        Assert.Contains($"- '{Path.Combine(RepositoryRoot(), "infra", "monitoring", "rules", "*.yml")}'", text, StringComparison.Ordinal);

        // promtool checks the configuration and every rule file it loads.
        var (exitCode, output) = await Run("promtool", "check", "config", config);
        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS: 4 rules found", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alertmanager_listens_on_loopback_without_gossip_and_posts_to_the_observability_intake_at_its_port()
    {
        var model = await Model("--GoCoffee:Ports:observability=6103", "--GoCoffee:Ports:alertmanager=6093");

        var arguments = await ArgumentsOf(model, "alertmanager");
        Assert.Contains("--web.listen-address=127.0.0.1:6093", arguments);
        Assert.Contains("--cluster.listen-address=", arguments);
        Assert.Equal("prometheus-alertmanager", model.Resources.OfType<ExecutableResource>().Single(r => r.Name == "alertmanager").Command);

        var config = ConfigFile(arguments);
        var text = await File.ReadAllTextAsync(config);
        Assert.Contains("url: http://127.0.0.1:6103/api/observability/alerts/intake", text, StringComparison.Ordinal);
        Assert.Contains($"credentials_file: {Path.Combine(_secrets, "parameters", LocalMonitoring.IntakeTokenParameter)}", text, StringComparison.Ordinal);
        Assert.DoesNotContain("5103", text, StringComparison.Ordinal);
        var (exitCode, output) = await Run("amtool", "check-config", config);
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task A_configured_intake_token_is_handed_to_alertmanager_as_a_file_only_its_user_reads()
    {
        var model = await Model("--Parameters:observability-alert-intake-token=intake-secret-1", "--GoCoffee:Ports:gateway=6080");

        var text = await File.ReadAllTextAsync(ConfigFile(await ArgumentsOf(model, "alertmanager")));
        var tokenFile = text.Split('\n').Select(line => line.Trim()).First(line => line.StartsWith("credentials_file: ", StringComparison.Ordinal))["credentials_file: ".Length..];
        Assert.Equal("intake-secret-1", await File.ReadAllTextAsync(tokenFile));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokenFile));
        }
    }

    private async Task<IDistributedApplicationTestingBuilder> Model(params string[] args) =>
        await DistributedApplicationTestingBuilder.CreateAsync<Projects.GoCoffee_AppHost>(
            [$"--GoCoffee:Secrets={_secrets}", "--ConnectionStrings:Postgres=Host=127.0.0.1", .. args]);

    private static async Task<List<string>> ArgumentsOf(IDistributedApplicationTestingBuilder model, string name)
    {
        var resource = model.Resources.OfType<ExecutableResource>().Single(r => r.Name == name);
        var arguments = new List<object>();
        foreach (var annotation in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await annotation.Callback(new CommandLineArgsCallbackContext(arguments));
        }

        return [.. arguments.Select(argument => argument.ToString()!)];
    }

    private static string ConfigFile(IEnumerable<string> arguments) =>
        arguments.Single(argument => argument.StartsWith("--config.file=", StringComparison.Ordinal))["--config.file=".Length..];

    private static async Task<(int ExitCode, string Output)> Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        arguments.ToList().ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GoCoffee.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("No GoCoffee.sln above the test's folder.");
    }
}
