using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.Objects;

namespace GoCoffee.ClusterAgent.Observability;

/// <summary>
/// A tenant's share of the platform's monitoring, in its first namespace: its alert route (an <c>AlertmanagerConfig</c>
/// whose route matches only <c>tenant="&lt;id&gt;"</c>, sending to the platform's alert intake for that tenant) and its
/// Grafana dashboards folder (a ConfigMap the dashboard sidecar files under the tenant's folder, with an overview
/// whose every query is filtered to the tenant). Pure.
/// </summary>
public static class TenantMonitoringObjects
{
    public const string RouteName = "tenant-alert-route";
    public const string DashboardsName = "tenant-dashboards";

    /// <summary>The label the platform Alertmanager selects tenants' AlertmanagerConfigs by.</summary>
    public const string AlertRouteLabel = "gocoffee.dev/alert-route";

    public static IReadOnlyList<JsonObject> For(string tenantId, string ns, TenantMonitoringOptions options) =>
        [AlertRoute(tenantId, ns, options), Dashboards(tenantId, ns)];

    public static JsonObject AlertRoute(string tenantId, string ns, TenantMonitoringOptions options)
    {
        var labels = Labels(tenantId);
        labels[AlertRouteLabel] = "tenant";
        var url = options.AlertIntakeUrl + (options.AlertIntakeUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "tenantId=" + Uri.EscapeDataString(tenantId);
        return new JsonObject
        {
            ["apiVersion"] = MonitoringKinds.AlertmanagerConfig.ApiVersion,
            ["kind"] = MonitoringKinds.AlertmanagerConfig.Kind,
            ["metadata"] = new JsonObject { ["name"] = RouteName, ["namespace"] = ns, ["labels"] = labels },
            ["spec"] = new JsonObject
            {
                ["route"] = new JsonObject
                {
                    ["receiver"] = "tenant-intake",
                    ["groupBy"] = new JsonArray("alertname", ObservabilityStackObjects.TenantAlertLabel),
                    ["matchers"] = new JsonArray(new JsonObject { ["name"] = ObservabilityStackObjects.TenantAlertLabel, ["value"] = tenantId, ["matchType"] = "=" }),
                },
                ["receivers"] = new JsonArray(new JsonObject
                {
                    ["name"] = "tenant-intake",
                    ["webhookConfigs"] = new JsonArray(new JsonObject { ["url"] = url, ["sendResolved"] = true }),
                }),
            },
        };
    }

    public static JsonObject Dashboards(string tenantId, string ns)
    {
        var labels = Labels(tenantId);
        labels[MonitoringKinds.GrafanaDashboardLabel] = "1";
        var selector = $"tenant=\"{tenantId}\"";
        var overview = new JsonObject
        {
            ["uid"] = $"tenant-{tenantId}"[..Math.Min(40, tenantId.Length + 7)],
            ["title"] = $"{tenantId}: overview",
            ["tags"] = new JsonArray("gocoffee", "tenant"),
            ["templating"] = new JsonObject { ["list"] = new JsonArray() },
            ["panels"] = new JsonArray(
                Panel(1, "Alerts firing", $"count(ALERTS{{alertstate=\"firing\",{selector}}}) or vector(0)", "stat"),
                Panel(2, "Requests per second", $"sum(rate(http_server_request_duration_seconds_count{{{selector}}}[5m]))", "timeseries"),
                Panel(3, "Errors per second", $"sum(rate(http_server_request_duration_seconds_count{{{selector},http_response_status_code=~\"5..\"}}[5m]))", "timeseries")),
        };
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject
            {
                ["name"] = DashboardsName,
                ["namespace"] = ns,
                ["labels"] = labels,
                ["annotations"] = new JsonObject { [MonitoringKinds.GrafanaFolderAnnotation] = $"tenant-{tenantId}" },
            },
            ["data"] = new JsonObject { [$"{tenantId}-overview.json"] = overview.ToJsonString() },
        };
    }

    private static JsonObject Panel(int id, string title, string expr, string type) => new()
    {
        ["id"] = id,
        ["type"] = type,
        ["title"] = title,
        ["datasource"] = new JsonObject { ["type"] = "prometheus", ["uid"] = "prometheus" },
        ["targets"] = new JsonArray(new JsonObject { ["refId"] = "A", ["expr"] = expr }),
    };

    private static JsonObject Labels(string tenantId) =>
        new(PlatformLabels.ForTenant(tenantId).Select(label => KeyValuePair.Create(label.Key, (JsonNode?)JsonValue.Create(label.Value))));
}

/// <summary>Configuration section <c>ClusterAgent:Monitoring</c>.</summary>
public sealed class TenantMonitoringOptions
{
    public const string Section = "ClusterAgent:Monitoring";

    /// <summary>The observability service's Alertmanager webhook intake; each tenant's route adds <c>tenantId=&lt;id&gt;</c>.</summary>
    public string AlertIntakeUrl { get; set; } = "http://observability.gocoffee-system.svc:8080/api/observability/alerts";
}
