namespace GoCoffee.Monitoring.Tests;

/// <summary>The pack's Alertmanager configuration through amtool: valid, and routing that keeps each tenant's alerts together.</summary>
public sealed class AlertmanagerConfigTests
{
    [Fact]
    public async Task The_alertmanager_configuration_passes_amtool_check_config()
    {
        var (exitCode, output) = await MonitoringPack.Run("amtool", "check-config", MonitoringPack.AlertmanagerConfig);
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task A_tenant_labelled_alert_is_routed_to_the_tenant_receiver_and_a_platform_alert_to_the_operators()
    {
        Assert.Equal("tenant-alerts", await Route("alertname=GoCoffeeGpuQuotaExhausted", "tenant=acme", "severity=warning"));
        Assert.Equal("platform-operators", await Route("alertname=GoCoffeeServiceDown", "service=orders", "severity=critical"));
    }

    [Fact]
    public void Tenant_alerts_are_grouped_by_tenant_and_every_receiver_posts_to_the_observability_intake_with_a_bearer_token()
    {
        var config = MonitoringPack.Load(MonitoringPack.AlertmanagerConfig);
        var tenantRoute = ((YamlDotNet.RepresentationModel.YamlSequenceNode)config["route"]["routes"]).Cast<YamlDotNet.RepresentationModel.YamlMappingNode>()
            .Single(route => route["receiver"].ToString() == "tenant-alerts");
        Assert.Contains("tenant", ((YamlDotNet.RepresentationModel.YamlSequenceNode)tenantRoute["group_by"]).Select(label => label.ToString()));

        foreach (var receiver in ((YamlDotNet.RepresentationModel.YamlSequenceNode)config["receivers"]).Cast<YamlDotNet.RepresentationModel.YamlMappingNode>())
        {
            var webhook = ((YamlDotNet.RepresentationModel.YamlSequenceNode)receiver["webhook_configs"]).Cast<YamlDotNet.RepresentationModel.YamlMappingNode>().Single();
            Assert.EndsWith("/api/observability/alerts/intake", webhook["url"].ToString(), StringComparison.Ordinal);
            Assert.Equal("true", webhook["send_resolved"].ToString());
            var authorization = (YamlDotNet.RepresentationModel.YamlMappingNode)webhook["http_config"]["authorization"];
            Assert.Equal("Bearer", authorization["type"].ToString());
            Assert.EndsWith("parameters/observability-alert-intake-token", authorization["credentials_file"].ToString(), StringComparison.Ordinal);
        }
    }

    private static async Task<string> Route(params string[] labels)
    {
        var (exitCode, output) = await MonitoringPack.Run("amtool", ["config", "routes", "test", $"--config.file={MonitoringPack.AlertmanagerConfig}", .. labels]);
        Assert.True(exitCode == 0, output);
        return output.Split('\n').First(line => !line.StartsWith("Warning", StringComparison.Ordinal)).Trim();
    }
}
