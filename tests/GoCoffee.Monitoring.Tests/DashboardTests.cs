using System.Text.Json.Nodes;

namespace GoCoffee.Monitoring.Tests;

/// <summary>The Grafana dashboards of the pack: importable JSON, every query on the data source variable, valid PromQL.</summary>
public sealed class DashboardTests
{
    public static readonly IReadOnlyList<string> RequiredDashboards = ["platform-overview", "service-red", "bus", "business", "ai", "tenants"];

    [Fact]
    public void The_pack_has_the_platform_overview_red_bus_business_ai_and_tenants_dashboards()
    {
        Assert.Equal(RequiredDashboards.Order(StringComparer.Ordinal), MonitoringPack.DashboardFiles.Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_dashboard_is_grafana_dashboard_json_with_a_unique_uid_and_a_data_source_variable()
    {
        var uids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in MonitoringPack.DashboardFiles)
        {
            var dashboard = JsonNode.Parse(File.ReadAllText(file))!;
            var name = Path.GetFileName(file);
            Assert.True(uids.Add(dashboard["uid"]!.GetValue<string>()), $"{name}: uid repeated");
            Assert.False(string.IsNullOrWhiteSpace(dashboard["title"]?.GetValue<string>()), $"{name}: no title");
            Assert.True(dashboard["schemaVersion"]!.GetValue<int>() >= 36, $"{name}: schemaVersion below 36");
            var variables = dashboard["templating"]!["list"]!.AsArray();
            Assert.Contains(variables, variable => variable!["name"]!.GetValue<string>() == "datasource" && variable["type"]!.GetValue<string>() == "datasource" && variable["query"]!.GetValue<string>() == "prometheus");

            var panels = MonitoringPack.Panels(dashboard["panels"]!.AsArray()).ToList();
            Assert.NotEmpty(panels);
            Assert.Equal(panels.Count, panels.Select(panel => panel["id"]!.GetValue<int>()).Distinct().Count());
            foreach (var panel in panels)
            {
                var title = panel["title"]!.GetValue<string>();
                Assert.Equal("${datasource}", panel["datasource"]!["uid"]!.GetValue<string>());
                Assert.NotNull(panel["gridPos"]);
                var targets = panel["targets"]!.AsArray();
                Assert.True(targets.Count > 0, $"{name} / {title}: no query");
                Assert.All(targets, target =>
                {
                    Assert.False(string.IsNullOrWhiteSpace(target!["expr"]?.GetValue<string>()), $"{name} / {title}: a target without expr");
                    Assert.False(string.IsNullOrWhiteSpace(target["refId"]?.GetValue<string>()), $"{name} / {title}: a target without refId");
                });
            }
        }
    }

    [Fact]
    public async Task Every_panel_query_is_valid_promql_for_promtool()
    {
        // promtool checks expressions of rule files: every panel query becomes a recording rule, Grafana's variables
        // replaced by what Grafana sends for "All".
        var rules = string.Join('\n', MonitoringPack.PanelQueries.Select((query, i) =>
            $"      - record: panel_{i}\n        expr: {System.Text.Json.JsonSerializer.Serialize(Grafana.Expand(query.Expr))}"));
        var file = Path.Combine(Path.GetTempPath(), $"gocoffee-dashboard-queries-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(file, $"groups:\n  - name: dashboards\n    rules:\n{rules}\n");
        try
        {
            var (exitCode, output) = await MonitoringPack.Run("promtool", "check", "rules", file);
            Assert.True(exitCode == 0, output);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
