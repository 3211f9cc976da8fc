namespace GoCoffee.Observability.Stacks;

/// <summary>Configuration section <c>Observability:Stacks</c>.</summary>
public sealed class StacksOptions
{
    public const string Section = "Observability:Stacks";

    /// <summary>The platform alert pack: every <c>*.yml</c>/<c>*.yaml</c> file of Prometheus rule groups here goes into every stack.</summary>
    public string RulesDirectory { get; set; } = Path.Combine(AppContext.BaseDirectory, "monitoring", "rules");

    /// <summary>The platform's Grafana dashboards: every <c>*.json</c> file here goes into every stack with Grafana.</summary>
    public string DashboardsDirectory { get; set; } = Path.Combine(AppContext.BaseDirectory, "monitoring", "dashboards");

    /// <summary>promtool, which checks rule expressions before anything is applied.</summary>
    public string Promtool { get; set; } = "promtool";

    public TimeSpan PromtoolTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long the cluster-agent may take to apply or delete a stack before the saga gives up on the step.</summary>
    public TimeSpan StepTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Where a stack's Prometheus answers its HTTP API; <c>{namespace}</c> and <c>{name}</c> are the stack's. Empty: the
    /// metrics are not read.
    /// </summary>
    public string PrometheusUrl { get; set; } = "http://prometheus-operated.{namespace}.svc:9090/";

    /// <summary>How often the metrics of ready stacks are read from their Prometheus.</summary>
    public TimeSpan MetricsInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The versions the stack's components run (the Prometheus operator's <c>version</c> fields).</summary>
    public Dictionary<string, string> Versions { get; set; } = new(StringComparer.Ordinal)
    {
        ["prometheus"] = "v2.54.1",
        ["alertmanager"] = "v0.27.0",
        ["grafana"] = "11.2.0",
        ["jaeger"] = "1.60.0",
        ["elasticsearch"] = "8.15.0",
        ["fluentd"] = "1.17.1",
        ["otel-collector"] = "0.109.0",
    };
}
