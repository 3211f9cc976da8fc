using GoCoffee.ClusterAgent.Objects;

namespace GoCoffee.ClusterAgent.Observability;

/// <summary>The Prometheus operator's kinds (monitoring.coreos.com) and the core kinds an observability stack is made of.</summary>
public static class MonitoringKinds
{
    public static readonly ObjectKind Prometheus = new("monitoring.coreos.com/v1", "Prometheus");
    public static readonly ObjectKind Alertmanager = new("monitoring.coreos.com/v1", "Alertmanager");
    public static readonly ObjectKind ServiceMonitor = new("monitoring.coreos.com/v1", "ServiceMonitor");
    public static readonly ObjectKind PrometheusRule = new("monitoring.coreos.com/v1", "PrometheusRule");
    public static readonly ObjectKind AlertmanagerConfig = new("monitoring.coreos.com/v1alpha1", "AlertmanagerConfig");
    public static readonly ObjectKind ConfigMap = new("v1", "ConfigMap");

    /// <summary>Every kind a stack can have, in the order they are removed (what selects them first).</summary>
    public static readonly IReadOnlyList<ObjectKind> StackKinds = [ServiceMonitor, PrometheusRule, AlertmanagerConfig, ConfigMap, Prometheus, Alertmanager];

    /// <summary>The label Grafana's dashboard sidecar loads ConfigMaps by.</summary>
    public const string GrafanaDashboardLabel = "grafana_dashboard";

    /// <summary>The label Grafana's datasource sidecar loads ConfigMaps by.</summary>
    public const string GrafanaDatasourceLabel = "grafana_datasource";

    /// <summary>The annotation naming the Grafana folder the sidecar files a dashboard ConfigMap's dashboards in.</summary>
    public const string GrafanaFolderAnnotation = "grafana_folder";
}
