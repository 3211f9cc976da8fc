using System.Text.Json;
using System.Text.Json.Serialization;

namespace GoCoffee.Contracts.Observability;

/// <summary>
/// <c>observability.gocoffee.dev/v1 ObservabilityStack</c> (namespaced, short name <c>obs</c>): one model for the API
/// (JSON or YAML), validation and the cluster-agent. Every field the seed's operator declared is here; secrets are
/// only ever references to Kubernetes Secrets (<see cref="SecretKeyRef"/>). <see cref="Status"/> is written only by
/// the platform.
/// </summary>
public sealed class ObservabilityStackResource
{
    public const string Group = "observability.gocoffee.dev";
    public const string Version = "v1";
    public const string ResourceKind = "ObservabilityStack";
    public const string Plural = "observabilitystacks";

    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public ResourceMetadata? Metadata { get; set; }

    public ObservabilityStackSpec? Spec { get; set; }

    public ObservabilityStackStatus? Status { get; set; }
}

public sealed class ObservabilityStackSpec
{
    public string? StackName { get; set; }

    public StackComponents? Components { get; set; }

    public StackMonitoring? Monitoring { get; set; }

    public StackTracing? Tracing { get; set; }

    public StackLogging? Logging { get; set; }
}

public sealed class StackComponents
{
    public PrometheusComponent? Prometheus { get; set; }

    public GrafanaComponent? Grafana { get; set; }

    public JaegerComponent? Jaeger { get; set; }

    public ElasticsearchComponent? Elasticsearch { get; set; }

    public FluentdComponent? Fluentd { get; set; }

    public AlertmanagerComponent? Alertmanager { get; set; }
}

public sealed class PrometheusComponent
{
    public bool? Enabled { get; set; }

    /// <summary>A Prometheus duration (<c>15d</c>, <c>12h</c>).</summary>
    public string? Retention { get; set; }

    /// <summary>A Kubernetes quantity for the volume claim (<c>50Gi</c>).</summary>
    public string? Storage { get; set; }

    public int? Replicas { get; set; }

    public StackResourceRequirements? Resources { get; set; }
}

/// <summary>Kubernetes resource requirements: <c>requests</c> and <c>limits</c> of <c>cpu</c> and <c>memory</c>.</summary>
public sealed class StackResourceRequirements
{
    public Dictionary<string, string>? Requests { get; set; }

    public Dictionary<string, string>? Limits { get; set; }
}

/// <summary>A key of a Kubernetes Secret in the stack's namespace.</summary>
public sealed class SecretKeyRef
{
    public string? Name { get; set; }

    public string? Key { get; set; }
}

public sealed class GrafanaComponent
{
    public bool? Enabled { get; set; }

    /// <summary>The Secret key holding the admin password (a reference; never the password).</summary>
    public JsonElement? AdminPasswordSecretRef { get; set; }

    /// <summary>Refused when present: a password is only ever a reference (<see cref="AdminPasswordSecretRef"/>).</summary>
    public JsonElement? AdminPassword { get; set; }

    public List<GrafanaDashboard>? Dashboards { get; set; }

    public List<GrafanaDatasource>? Datasources { get; set; }
}

public sealed class GrafanaDashboard
{
    public string? Name { get; set; }

    /// <summary>The Grafana folder the dashboard is filed in.</summary>
    public string? Folder { get; set; }

    /// <summary>The dashboard model (Grafana's JSON), as text.</summary>
    public string? Json { get; set; }
}

public sealed class GrafanaDatasource
{
    public string? Name { get; set; }

    /// <summary>prometheus | jaeger | elasticsearch | loki | alertmanager</summary>
    public string? Type { get; set; }

    public string? Url { get; set; }

    public bool? IsDefault { get; set; }

    /// <summary>Credentials for the datasource, as a reference.</summary>
    public JsonElement? BasicAuthPasswordSecretRef { get; set; }
}

public sealed class JaegerComponent
{
    public bool? Enabled { get; set; }

    /// <summary>allInOne | production</summary>
    public string? Strategy { get; set; }

    public JaegerStorage? Storage { get; set; }
}

public sealed class JaegerStorage
{
    /// <summary>memory | elasticsearch | cassandra</summary>
    public string? Type { get; set; }
}

public sealed class ElasticsearchComponent
{
    public bool? Enabled { get; set; }

    public int? Nodes { get; set; }

    public string? Storage { get; set; }

    public string? Version { get; set; }
}

public sealed class FluentdComponent
{
    public bool? Enabled { get; set; }

    /// <summary>elasticsearch | loki | cloudwatch | stdout</summary>
    public List<string>? Outputs { get; set; }
}

public sealed class AlertmanagerComponent
{
    public bool? Enabled { get; set; }

    public AlertmanagerRouting? Config { get; set; }
}

public sealed class AlertmanagerRouting
{
    public AlertRoute? Route { get; set; }

    public List<AlertReceiver>? Receivers { get; set; }
}

public sealed class AlertRoute
{
    public string? Receiver { get; set; }

    public List<string>? GroupBy { get; set; }

    public string? GroupWait { get; set; }

    public string? GroupInterval { get; set; }

    public string? RepeatInterval { get; set; }

    /// <summary>Alertmanager matchers (<c>severity="critical"</c>, <c>service=~"orders|web3"</c>).</summary>
    public List<string>? Matchers { get; set; }

    public bool? Continue { get; set; }

    public List<AlertRoute>? Routes { get; set; }
}

public sealed class AlertReceiver
{
    public string? Name { get; set; }

    public List<WebhookReceiver>? WebhookConfigs { get; set; }

    public List<SlackReceiver>? SlackConfigs { get; set; }

    public List<EmailReceiver>? EmailConfigs { get; set; }

    public List<PagerDutyReceiver>? PagerdutyConfigs { get; set; }
}

public sealed class WebhookReceiver
{
    /// <summary>The endpoint, without credentials (a URL carrying a password is refused: use <see cref="UrlSecret"/>).</summary>
    public string? Url { get; set; }

    /// <summary>The endpoint, when the URL itself is secret.</summary>
    public JsonElement? UrlSecret { get; set; }

    public bool? SendResolved { get; set; }
}

public sealed class SlackReceiver
{
    /// <summary>The Slack webhook URL: a Secret reference only.</summary>
    [JsonPropertyName("apiURL")]
    public JsonElement? ApiUrl { get; set; }

    public string? Channel { get; set; }

    public bool? SendResolved { get; set; }
}

public sealed class EmailReceiver
{
    public string? To { get; set; }

    public string? From { get; set; }

    public string? Smarthost { get; set; }

    public string? AuthUsername { get; set; }

    /// <summary>A Secret reference only.</summary>
    public JsonElement? AuthPassword { get; set; }
}

public sealed class PagerDutyReceiver
{
    /// <summary>A Secret reference only.</summary>
    public JsonElement? RoutingKey { get; set; }

    public string? Severity { get; set; }
}

public sealed class StackMonitoring
{
    public List<ScrapeTarget>? Targets { get; set; }

    public List<StackRuleGroup>? Rules { get; set; }
}

public sealed class ScrapeTarget
{
    public string? Name { get; set; }

    /// <summary>The namespace of the Services to scrape (one of the tenant's; the stack's own when omitted).</summary>
    public string? Namespace { get; set; }

    /// <summary>Labels the Services to scrape carry (<c>matchLabels</c>).</summary>
    public Dictionary<string, string>? Selector { get; set; }

    /// <summary>The Service port's name, or its number.</summary>
    public JsonElement? Port { get; set; }

    public string? Path { get; set; }

    public string? Interval { get; set; }
}

public sealed class StackRuleGroup
{
    public string? Name { get; set; }

    public List<StackRule>? Rules { get; set; }
}

public sealed class StackRule
{
    public string? Alert { get; set; }

    public string? Record { get; set; }

    public string? Expr { get; set; }

    public string? For { get; set; }

    public Dictionary<string, string>? Labels { get; set; }

    public Dictionary<string, string>? Annotations { get; set; }
}

public sealed class StackTracing
{
    /// <summary>0–1.</summary>
    public double? SamplingRate { get; set; }

    /// <summary>jaeger | otlp | logging</summary>
    public List<string>? Exporters { get; set; }
}

public sealed class StackLogging
{
    /// <summary>debug | info | warn | error</summary>
    public string? Level { get; set; }

    /// <summary>json | text</summary>
    public string? Format { get; set; }

    public string? Retention { get; set; }

    public LogAggregation? Aggregation { get; set; }
}

public sealed class LogAggregation
{
    public bool? Enabled { get; set; }

    /// <summary>elasticsearch | loki | cloudwatch</summary>
    public string? Backend { get; set; }
}

public sealed class ObservabilityStackStatus
{
    /// <summary>Pending | Installing | Ready | Updating | Failed (and Terminating while it is deleted).</summary>
    public string Phase { get; set; } = "Pending";

    /// <summary>Per component (<c>prometheus</c>, <c>grafana</c>, ...): its status, endpoint and version.</summary>
    public Dictionary<string, StackComponentStatus> Components { get; set; } = [];

    public StackMetrics? Metrics { get; set; }

    public List<ResourceCondition> Conditions { get; set; } = [];

    public long? ObservedGeneration { get; set; }
}

public sealed record StackComponentStatus(string Status, string? Endpoint, string? Version);

/// <summary>What the stack's Prometheus reports (its HTTP API).</summary>
public sealed record StackMetrics(int TargetsDiscovered, int TargetsUp, int RulesLoaded, int AlertsActive, DateTimeOffset ReadAt);
