using YamlDotNet.RepresentationModel;

namespace GoCoffee.Monitoring.Tests;

/// <summary>The alert pack's rule files through promtool (syntax, PromQL, and the unit tests of every alert).</summary>
public sealed class AlertPackTests
{
    /// <summary>What the issue asks the pack to watch, by alert name.</summary>
    public static readonly IReadOnlyList<string> RequiredAlerts =
    [
        "GoCoffeeHighErrorRate", "GoCoffeeHighLatencyP95", "GoCoffeePodCrashLooping", "GoCoffeePodNotReady",
        "GoCoffeeContainerCpuNearLimit", "GoCoffeeContainerMemoryNearLimit", "GoCoffeePostgresConnectionsNearLimit",
        "GoCoffeeQueueBacklogGrowing", "GoCoffeeQueueWithoutConsumers", "GoCoffeeSagaPastDeadline",
        "GoCoffeeOutboxMessagesWaiting", "GoCoffeePaymentFailureRate", "GoCoffeeGpuQuotaExhausted",
        "GoCoffeeTenantStuckProvisioning",
    ];

    [Fact]
    public async Task Every_rule_file_passes_promtool_check_rules()
    {
        var (exitCode, output) = await MonitoringPack.Run("promtool", ["check", "rules", .. MonitoringPack.RuleFiles]);
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task Every_promtool_unit_test_of_the_pack_passes()
    {
        var (exitCode, output) = await MonitoringPack.Run("promtool", ["test", "rules", .. MonitoringPack.UnitTestFiles]);
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public void The_pack_has_every_alert_the_issue_lists_and_no_two_alerts_share_a_name()
    {
        var names = MonitoringPack.Alerts.Select(alert => alert.Name).ToList();
        Assert.Empty(RequiredAlerts.Except(names));
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public void Every_alert_has_a_severity_a_summary_a_description_and_a_runbook()
    {
        var incomplete = MonitoringPack.Alerts
            .Where(alert => alert.Labels.GetValueOrDefault("severity") is not ("critical" or "warning")
                            || new[] { "summary", "description", "runbook" }.Any(key => string.IsNullOrWhiteSpace(alert.Annotations.GetValueOrDefault(key))))
            .Select(alert => alert.Name);
        Assert.Empty(incomplete);
    }

    [Fact]
    public void Every_alert_has_a_unit_test_where_it_fires_and_one_where_it_does_not()
    {
        var cases = MonitoringPack.UnitTestFiles
            .SelectMany(file => ((YamlSequenceNode)MonitoringPack.Load(file)["tests"]).Cast<YamlMappingNode>())
            .SelectMany(test => test.Children.TryGetValue("alert_rule_test", out var node) ? ((YamlSequenceNode)node).Cast<YamlMappingNode>() : [])
            .Select(test => (Alert: test["alertname"].ToString(), Fires: test.Children.TryGetValue("exp_alerts", out var expected) && expected is YamlSequenceNode { Children.Count: > 0 }))
            .ToList();

        var missing = MonitoringPack.Alerts
            .SelectMany(alert => new[] { (alert.Name, Fires: true), (alert.Name, Fires: false) })
            .Where(wanted => !cases.Contains((wanted.Name, wanted.Fires)))
            .Select(wanted => $"{wanted.Name}: no case where it {(wanted.Fires ? "fires" : "stays silent")}");
        Assert.Empty(missing);
    }

    [Fact]
    public void Alerts_on_tenant_series_keep_the_tenant_label_for_routing()
    {
        // An aggregation that drops the tenant label would send a tenant's alert to the platform's operators only.
        var tenantSeries = new[] { "gocoffee_orders_payment_", "gocoffee_tenant_", "kube_pod_", "container_" };
        var dropping = MonitoringPack.Alerts
            .Where(alert => tenantSeries.Any(prefix => alert.Expr.Contains(prefix, StringComparison.Ordinal)))
            .Where(alert => !alert.Expr.Contains("by (tenant)", StringComparison.Ordinal) && !alert.Expr.Contains("\"tenant\"", StringComparison.Ordinal))
            .Select(alert => alert.Name);
        Assert.Empty(dropping);
    }
}
