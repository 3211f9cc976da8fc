using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GoCoffee.ClusterAgent.Objects;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Observability;

namespace GoCoffee.ClusterAgent.Observability;

/// <summary>
/// The Kubernetes objects of one observability stack, for the Prometheus operator, Grafana's sidecars and the
/// OpenTelemetry collector: a <c>Prometheus</c> (retention, storage, replicas, resources; every series it sends on
/// carries <c>tenant="&lt;id&gt;"</c>), a <c>ServiceMonitor</c> per target, <c>PrometheusRule</c>s (the platform pack
/// and the user's groups), an <c>Alertmanager</c> with an <c>AlertmanagerConfig</c> whose every route matches only the
/// tenant's alerts, Grafana dashboard ConfigMaps (label <c>grafana_dashboard: "1"</c>, filed in the tenant's folder)
/// and a datasource ConfigMap, and the collector's configuration (traces over OTLP to Jaeger, logs to Elasticsearch,
/// Loki or CloudWatch). Secrets appear only as references. Pure: the same plan always makes the same objects.
/// </summary>
public static partial class ObservabilityStackObjects
{
    public const string StackLabel = "gocoffee.dev/observability-stack";
    public const string TenantAlertLabel = "tenant";

    public static IReadOnlyList<JsonObject> For(ObservabilityStackPlan plan)
    {
        var spec = plan.Spec;
        var components = spec.Components;
        var objects = new List<JsonObject>();
        var alertmanager = components?.Alertmanager?.Enabled == true;
        if (components?.Prometheus?.Enabled != false)
        {
            objects.Add(Prometheus(plan, alertmanager));
            objects.AddRange((spec.Monitoring?.Targets ?? []).Select(target => ServiceMonitor(plan, target)));
            if (plan.PlatformRules.Count > 0)
            {
                objects.Add(Rules(plan, "platform", plan.PlatformRules.Select(g => (g.Name, g.Interval, g.Rules))));
            }

            if (spec.Monitoring?.Rules is { Count: > 0 } groups)
            {
                objects.Add(Rules(plan, "user", groups.Select(g => (g.Name!, (string?)null, (IReadOnlyList<StackRule>)(g.Rules ?? [])))));
            }
        }

        if (alertmanager)
        {
            objects.Add(Alertmanager(plan));
            objects.Add(AlertRouting(plan));
        }

        if (components?.Grafana?.Enabled == true)
        {
            objects.Add(Datasources(plan));
            objects.AddRange(plan.PlatformDashboards.Select(d => Dashboard(plan, "platform-" + d.Name, "Platform", d.Json)));
            objects.AddRange((components.Grafana.Dashboards ?? []).Select(d => Dashboard(plan, d.Name!, d.Folder ?? plan.TenantId, d.Json ?? "{}")));
        }

        if (NeedsCollector(spec))
        {
            objects.Add(CollectorConfig(plan));
        }

        return objects;
    }

    /// <summary>The components the stack runs or points at, with where each serves.</summary>
    public static IReadOnlyList<StackComponentApplied> Components(ObservabilityStackPlan plan)
    {
        var spec = plan.Spec;
        var c = spec.Components;
        var ns = plan.Namespace;
        string Version(string component) => plan.Versions.GetValueOrDefault(component) ?? "unknown";
        var list = new List<StackComponentApplied>();
        if (c?.Prometheus?.Enabled != false)
        {
            list.Add(new("prometheus", $"http://prometheus-operated.{ns}.svc:9090", Version("prometheus")));
        }

        if (c?.Alertmanager?.Enabled == true)
        {
            list.Add(new("alertmanager", $"http://alertmanager-operated.{ns}.svc:9093", Version("alertmanager")));
        }

        if (c?.Grafana?.Enabled == true)
        {
            list.Add(new("grafana", $"http://{plan.Name}-grafana.{ns}.svc:3000", Version("grafana")));
        }

        if (c?.Jaeger?.Enabled == true)
        {
            list.Add(new("jaeger", JaegerOtlp(plan), Version("jaeger")));
        }

        if (c?.Elasticsearch?.Enabled == true)
        {
            list.Add(new("elasticsearch", ElasticsearchUrl(plan), c.Elasticsearch.Version ?? Version("elasticsearch")));
        }

        if (c?.Fluentd?.Enabled == true)
        {
            list.Add(new("fluentd", $"{plan.Name}-fluentd.{ns}.svc:24224", Version("fluentd")));
        }

        if (NeedsCollector(spec))
        {
            list.Add(new("otel-collector", $"{plan.Name}-otel-collector.{ns}.svc:4317", Version("otel-collector")));
        }

        return list;
    }

    public static bool NeedsCollector(ObservabilityStackSpec spec) =>
        spec.Components?.Jaeger?.Enabled == true || spec.Tracing is not null || spec.Logging?.Aggregation?.Enabled == true;

    public static Dictionary<string, string> Labels(ObservabilityStackPlan plan) =>
        new(PlatformLabels.ForTenant(plan.TenantId)) { [StackLabel] = plan.Name };

    public static JsonObject Prometheus(ObservabilityStackPlan plan, bool alertmanager)
    {
        var p = plan.Spec.Components?.Prometheus;
        var stackOnly = new JsonObject { ["matchLabels"] = new JsonObject { [StackLabel] = plan.Name } };
        var spec = new JsonObject
        {
            ["replicas"] = p?.Replicas ?? 1,
            ["retention"] = p?.Retention ?? "15d",
            ["version"] = plan.Versions.GetValueOrDefault("prometheus"),
            ["serviceMonitorSelector"] = stackOnly.DeepClone(),
            // ServiceMonitors in the tenant's namespaces only.
            ["serviceMonitorNamespaceSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { [PlatformLabels.Tenant] = plan.TenantId } },
            ["ruleSelector"] = stackOnly.DeepClone(),
            ["externalLabels"] = new JsonObject { [TenantAlertLabel] = plan.TenantId },
            ["securityContext"] = new JsonObject { ["runAsNonRoot"] = true, ["runAsUser"] = 1000, ["fsGroup"] = 2000 },
        };
        if (p?.Resources is { } resources)
        {
            spec["resources"] = Requirements(resources);
        }

        if (p?.Storage is { } storage)
        {
            spec["storage"] = new JsonObject
            {
                ["volumeClaimTemplate"] = new JsonObject
                {
                    ["spec"] = new JsonObject
                    {
                        ["accessModes"] = new JsonArray("ReadWriteOnce"),
                        ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["storage"] = storage } },
                    },
                },
            };
        }

        if (alertmanager)
        {
            spec["alerting"] = new JsonObject
            {
                ["alertmanagers"] = new JsonArray(new JsonObject { ["namespace"] = plan.Namespace, ["name"] = "alertmanager-operated", ["port"] = "web" }),
            };
        }

        return Object(plan, MonitoringKinds.Prometheus, plan.Name, spec);
    }

    public static JsonObject ServiceMonitor(ObservabilityStackPlan plan, ScrapeTarget target)
    {
        var endpoint = new JsonObject { ["path"] = target.Path ?? "/metrics", ["interval"] = target.Interval ?? "30s" };
        if (target.Port is { ValueKind: JsonValueKind.Number } number)
        {
            endpoint["targetPort"] = number.GetInt32();
        }
        else
        {
            endpoint["port"] = target.Port?.GetString() ?? "metrics";
        }

        var spec = new JsonObject
        {
            ["selector"] = new JsonObject { ["matchLabels"] = StringMap(target.Selector ?? new Dictionary<string, string>()) },
            ["namespaceSelector"] = new JsonObject { ["matchNames"] = new JsonArray(target.Namespace ?? plan.Namespace) },
            ["endpoints"] = new JsonArray(endpoint),
        };
        return Object(plan, MonitoringKinds.ServiceMonitor, $"{plan.Name}-{target.Name}", spec);
    }

    /// <summary>A PrometheusRule of rule groups; every rule's alerts carry the tenant's label, whatever the rule said.</summary>
    public static JsonObject Rules(ObservabilityStackPlan plan, string suffix, IEnumerable<(string Name, string? Interval, IReadOnlyList<StackRule> Rules)> groups)
    {
        var list = new JsonArray();
        foreach (var (name, interval, rules) in groups)
        {
            var group = new JsonObject { ["name"] = name };
            if (interval is not null)
            {
                group["interval"] = interval;
            }

            group["rules"] = new JsonArray([.. rules.Select(rule => (JsonNode)Rule(plan, rule))]);
            list.Add(group);
        }

        return Object(plan, MonitoringKinds.PrometheusRule, $"{plan.Name}-{suffix}", new JsonObject { ["groups"] = list });
    }

    private static JsonObject Rule(ObservabilityStackPlan plan, StackRule rule)
    {
        var json = new JsonObject();
        if (rule.Alert is not null)
        {
            json["alert"] = rule.Alert;
        }

        if (rule.Record is not null)
        {
            json["record"] = rule.Record;
        }

        json["expr"] = rule.Expr;
        if (rule.For is not null)
        {
            json["for"] = rule.For;
        }

        var labels = new Dictionary<string, string>(rule.Labels ?? new Dictionary<string, string>()) { [TenantAlertLabel] = plan.TenantId };
        json["labels"] = StringMap(labels);
        if (rule.Annotations is { Count: > 0 } annotations)
        {
            json["annotations"] = StringMap(annotations);
        }

        return json;
    }

    public static JsonObject Alertmanager(ObservabilityStackPlan plan) =>
        Object(plan, MonitoringKinds.Alertmanager, plan.Name, new JsonObject
        {
            ["replicas"] = 1,
            ["version"] = plan.Versions.GetValueOrDefault("alertmanager"),
            ["alertmanagerConfigSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { [StackLabel] = plan.Name } },
            // Only AlertmanagerConfigs in the stack's own namespace, and the operator adds a namespace matcher to each.
            ["alertmanagerConfigNamespaceSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["kubernetes.io/metadata.name"] = plan.Namespace } },
            ["alertmanagerConfigMatcherStrategy"] = new JsonObject { ["type"] = "OnNamespace" },
            ["securityContext"] = new JsonObject { ["runAsNonRoot"] = true, ["runAsUser"] = 1000, ["fsGroup"] = 2000 },
        });

    /// <summary>The stack's alert routing: the tenant's matcher on the top route, so no route below it sees another tenant's alert.</summary>
    public static JsonObject AlertRouting(ObservabilityStackPlan plan)
    {
        var config = plan.Spec.Components?.Alertmanager?.Config;
        var receivers = config?.Receivers ?? [];
        var route = config?.Route ?? new AlertRoute { Receiver = receivers.FirstOrDefault()?.Name ?? "null" };
        var top = Route(route);
        var matchers = top["matchers"] as JsonArray ?? [];
        matchers.Insert(0, new JsonObject { ["name"] = TenantAlertLabel, ["value"] = plan.TenantId, ["matchType"] = "=" });
        top["matchers"] = matchers;
        var receiverList = new JsonArray([.. receivers.Select(r => (JsonNode)Receiver(r))]);
        if (receivers.Count == 0)
        {
            receiverList.Add(new JsonObject { ["name"] = "null" });
        }

        return Object(plan, MonitoringKinds.AlertmanagerConfig, plan.Name, new JsonObject { ["route"] = top, ["receivers"] = receiverList });
    }

    private static JsonObject Route(AlertRoute route)
    {
        var json = new JsonObject { ["receiver"] = route.Receiver };
        if (route.GroupBy is { Count: > 0 } groupBy)
        {
            json["groupBy"] = new JsonArray([.. groupBy.Select(g => (JsonNode)JsonValue.Create(g))]);
        }

        if (route.GroupWait is not null)
        {
            json["groupWait"] = route.GroupWait;
        }

        if (route.GroupInterval is not null)
        {
            json["groupInterval"] = route.GroupInterval;
        }

        if (route.RepeatInterval is not null)
        {
            json["repeatInterval"] = route.RepeatInterval;
        }

        if (route.Continue is not null)
        {
            json["continue"] = route.Continue;
        }

        if (route.Matchers is { Count: > 0 } matchers)
        {
            json["matchers"] = new JsonArray([.. matchers.Select(m => (JsonNode)Matcher(m))]);
        }

        if (route.Routes is { Count: > 0 } routes)
        {
            json["routes"] = new JsonArray([.. routes.Select(r => (JsonNode)Route(r))]);
        }

        return json;
    }

    /// <summary><c>severity="critical"</c> → <c>{name: severity, value: critical, matchType: "="}</c>.</summary>
    public static JsonObject Matcher(string text)
    {
        var match = MatcherPattern().Match(text);
        if (!match.Success)
        {
            throw new ArgumentException($"'{text}' is not a matcher (label=\"value\", !=, =~, !~)", nameof(text));
        }

        return new JsonObject { ["name"] = match.Groups["name"].Value, ["value"] = match.Groups["value"].Value, ["matchType"] = match.Groups["op"].Value };
    }

    public static bool IsMatcher(string text) => MatcherPattern().IsMatch(text);

    public static string MatcherLabel(string text) => MatcherPattern().Match(text).Groups["name"].Value;

    private static JsonObject Receiver(AlertReceiver receiver)
    {
        var json = new JsonObject { ["name"] = receiver.Name };
        if (receiver.WebhookConfigs is { Count: > 0 } webhooks)
        {
            json["webhookConfigs"] = new JsonArray([.. webhooks.Select(w =>
            {
                var config = new JsonObject { ["sendResolved"] = w.SendResolved ?? true };
                if (w.Url is not null)
                {
                    config["url"] = w.Url;
                }

                if (Reference(w.UrlSecret) is { } secret)
                {
                    config["urlSecret"] = secret;
                }

                return (JsonNode)config;
            })]);
        }

        if (receiver.SlackConfigs is { Count: > 0 } slack)
        {
            json["slackConfigs"] = new JsonArray([.. slack.Select(s => (JsonNode)new JsonObject { ["apiURL"] = Reference(s.ApiUrl), ["channel"] = s.Channel, ["sendResolved"] = s.SendResolved ?? true })]);
        }

        if (receiver.EmailConfigs is { Count: > 0 } email)
        {
            json["emailConfigs"] = new JsonArray([.. email.Select(e => (JsonNode)new JsonObject
            {
                ["to"] = e.To,
                ["from"] = e.From,
                ["smarthost"] = e.Smarthost,
                ["authUsername"] = e.AuthUsername,
                ["authPassword"] = Reference(e.AuthPassword),
            })]);
        }

        if (receiver.PagerdutyConfigs is { Count: > 0 } pagerduty)
        {
            json["pagerdutyConfigs"] = new JsonArray([.. pagerduty.Select(p => (JsonNode)new JsonObject { ["routingKey"] = Reference(p.RoutingKey), ["severity"] = p.Severity })]);
        }

        return json;
    }

    /// <summary>A Secret reference as the operator's kinds take it (<c>{name, key}</c>); null when none is given.</summary>
    private static JsonObject? Reference(JsonElement? element) =>
        element is { ValueKind: JsonValueKind.Object } value ? new JsonObject { ["name"] = value.GetProperty("name").GetString(), ["key"] = value.GetProperty("key").GetString() } : null;

    public static JsonObject Datasources(ObservabilityStackPlan plan)
    {
        var ns = plan.Namespace;
        var list = new JsonArray
        {
            new JsonObject { ["name"] = "Prometheus", ["type"] = "prometheus", ["uid"] = "prometheus", ["access"] = "proxy", ["url"] = $"http://prometheus-operated.{ns}.svc:9090", ["isDefault"] = true },
        };
        var c = plan.Spec.Components;
        if (c?.Alertmanager?.Enabled == true)
        {
            list.Add(new JsonObject { ["name"] = "Alertmanager", ["type"] = "alertmanager", ["uid"] = "alertmanager", ["access"] = "proxy", ["url"] = $"http://alertmanager-operated.{ns}.svc:9093", ["jsonData"] = new JsonObject { ["implementation"] = "prometheus" } });
        }

        if (c?.Jaeger?.Enabled == true)
        {
            list.Add(new JsonObject { ["name"] = "Jaeger", ["type"] = "jaeger", ["uid"] = "jaeger", ["access"] = "proxy", ["url"] = $"http://{plan.Name}-jaeger-query.{ns}.svc:16686" });
        }

        switch (LogBackend(plan.Spec))
        {
            case "elasticsearch":
                list.Add(new JsonObject { ["name"] = "Logs", ["type"] = "elasticsearch", ["uid"] = "logs", ["access"] = "proxy", ["url"] = ElasticsearchUrl(plan), ["jsonData"] = new JsonObject { ["index"] = LogIndex(plan), ["timeField"] = "@timestamp" } });
                break;
            case "loki":
                list.Add(new JsonObject { ["name"] = "Logs", ["type"] = "loki", ["uid"] = "logs", ["access"] = "proxy", ["url"] = LokiUrl(plan) });
                break;
        }

        var defaults = list.OfType<JsonObject>().Any(d => d["isDefault"] is not null) && (c?.Grafana?.Datasources ?? []).Any(d => d.IsDefault == true);
        foreach (var source in c?.Grafana?.Datasources ?? [])
        {
            var json = new JsonObject { ["name"] = source.Name, ["type"] = source.Type, ["access"] = "proxy", ["url"] = source.Url, ["isDefault"] = source.IsDefault ?? false };
            if (Reference(source.BasicAuthPasswordSecretRef) is { } secret)
            {
                // Grafana reads the password from the Secret mounted at this path; the value is never in the ConfigMap.
                json["basicAuth"] = true;
                json["secureJsonData"] = new JsonObject { ["basicAuthPassword"] = $"$__file{{/etc/secrets/{secret["name"]}/{secret["key"]}}}" };
            }

            list.Add(json);
        }

        if (defaults)
        {
            list[0]!["isDefault"] = false;
        }

        var labels = new JsonObject { [MonitoringKinds.GrafanaDatasourceLabel] = "1" };
        var file = new JsonObject { ["apiVersion"] = 1, ["datasources"] = list };
        return ConfigMap(plan, $"{plan.Name}-datasources", labels, null, new JsonObject { ["datasources.yaml"] = Yaml(file) });
    }

    public static JsonObject Dashboard(ObservabilityStackPlan plan, string name, string folder, string json) =>
        ConfigMap(
            plan,
            $"{plan.Name}-dashboard-{name}",
            new JsonObject { [MonitoringKinds.GrafanaDashboardLabel] = "1" },
            new JsonObject { [MonitoringKinds.GrafanaFolderAnnotation] = folder },
            new JsonObject { [$"{name}.json"] = json });

    /// <summary>The OpenTelemetry collector's configuration: OTLP in; traces to Jaeger over OTLP, logs to the aggregation backend.</summary>
    public static JsonObject CollectorConfig(ObservabilityStackPlan plan)
    {
        var spec = plan.Spec;
        var rate = spec.Tracing?.SamplingRate ?? 1.0;
        var exporters = new JsonObject();
        var traceExporters = new JsonArray();
        var logExporters = new JsonArray();
        if (spec.Components?.Jaeger?.Enabled == true || spec.Tracing?.Exporters?.Contains("jaeger") == true || spec.Tracing?.Exporters?.Contains("otlp") == true)
        {
            exporters["otlp/jaeger"] = new JsonObject { ["endpoint"] = JaegerOtlp(plan), ["tls"] = new JsonObject { ["insecure"] = true } };
            traceExporters.Add("otlp/jaeger");
        }

        if (spec.Tracing?.Exporters?.Contains("logging") == true)
        {
            exporters["debug"] = new JsonObject();
            traceExporters.Add("debug");
        }

        switch (LogBackend(spec))
        {
            case "elasticsearch":
                exporters["elasticsearch"] = new JsonObject { ["endpoints"] = new JsonArray(ElasticsearchUrl(plan)), ["logs_index"] = LogIndex(plan) };
                logExporters.Add("elasticsearch");
                break;
            case "loki":
                exporters["loki"] = new JsonObject { ["endpoint"] = LokiUrl(plan) + "/loki/api/v1/push", ["default_labels_enabled"] = new JsonObject { ["exporter"] = false, ["job"] = true } };
                logExporters.Add("loki");
                break;
            case "cloudwatch":
                exporters["awscloudwatchlogs"] = new JsonObject { ["log_group_name"] = $"/gocoffee/{plan.TenantId}/{plan.Name}", ["log_stream_name"] = plan.Namespace };
                logExporters.Add("awscloudwatchlogs");
                break;
        }

        var processors = new JsonObject
        {
            ["batch"] = new JsonObject(),
            ["probabilistic_sampler"] = new JsonObject { ["sampling_percentage"] = Math.Round(rate * 100, 4) },
            ["resource"] = new JsonObject { ["attributes"] = new JsonArray(new JsonObject { ["key"] = TenantAlertLabel, ["value"] = plan.TenantId, ["action"] = "upsert" }) },
        };
        var pipelines = new JsonObject();
        if (traceExporters.Count > 0)
        {
            pipelines["traces"] = new JsonObject { ["receivers"] = new JsonArray("otlp"), ["processors"] = new JsonArray("resource", "probabilistic_sampler", "batch"), ["exporters"] = traceExporters };
        }

        if (logExporters.Count > 0)
        {
            pipelines["logs"] = new JsonObject { ["receivers"] = new JsonArray("otlp"), ["processors"] = new JsonArray("resource", "batch"), ["exporters"] = logExporters };
        }

        var config = new JsonObject
        {
            ["receivers"] = new JsonObject { ["otlp"] = new JsonObject { ["protocols"] = new JsonObject { ["grpc"] = new JsonObject { ["endpoint"] = "0.0.0.0:4317" }, ["http"] = new JsonObject { ["endpoint"] = "0.0.0.0:4318" } } } },
            ["processors"] = processors,
            ["exporters"] = exporters,
            ["service"] = new JsonObject { ["pipelines"] = pipelines, ["telemetry"] = new JsonObject { ["logs"] = new JsonObject { ["level"] = spec.Logging?.Level ?? "info", ["encoding"] = spec.Logging?.Format == "text" ? "console" : "json" } } },
        };
        return ConfigMap(plan, $"{plan.Name}-otel-collector", null, null, new JsonObject { ["collector.yaml"] = Yaml(config) });
    }

    /// <summary>Where logs go: the aggregation backend when aggregation is on (Elasticsearch when it names none).</summary>
    public static string? LogBackend(ObservabilityStackSpec spec) =>
        spec.Logging?.Aggregation?.Enabled == true ? spec.Logging.Aggregation.Backend ?? "elasticsearch" : null;

    private static string JaegerOtlp(ObservabilityStackPlan plan) => $"{plan.Name}-jaeger-collector.{plan.Namespace}.svc:4317";

    private static string ElasticsearchUrl(ObservabilityStackPlan plan) => $"http://{plan.Name}-elasticsearch.{plan.Namespace}.svc:9200";

    private static string LokiUrl(ObservabilityStackPlan plan) => $"http://{plan.Name}-loki.{plan.Namespace}.svc:3100";

    private static string LogIndex(ObservabilityStackPlan plan) => $"logs-{plan.TenantId}";

    private static JsonObject Requirements(StackResourceRequirements resources)
    {
        var json = new JsonObject();
        if (resources.Requests is { Count: > 0 } requests)
        {
            json["requests"] = StringMap(requests);
        }

        if (resources.Limits is { Count: > 0 } limits)
        {
            json["limits"] = StringMap(limits);
        }

        return json;
    }

    private static JsonObject ConfigMap(ObservabilityStackPlan plan, string name, JsonObject? extraLabels, JsonObject? annotations, JsonObject data)
    {
        var manifest = Object(plan, MonitoringKinds.ConfigMap, name, null);
        manifest.Remove("spec");
        if (extraLabels is not null)
        {
            var labels = (JsonObject)manifest["metadata"]!["labels"]!;
            foreach (var (key, value) in extraLabels)
            {
                labels[key] = value?.DeepClone();
            }
        }

        if (annotations is not null)
        {
            manifest["metadata"]!["annotations"] = annotations;
        }

        manifest["data"] = data;
        return manifest;
    }

    private static JsonObject Object(ObservabilityStackPlan plan, ObjectKind kind, string name, JsonObject? spec)
    {
        var manifest = new JsonObject
        {
            ["apiVersion"] = kind.ApiVersion,
            ["kind"] = kind.Kind,
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = plan.Namespace, ["labels"] = StringMap(Labels(plan)) },
        };
        if (spec is not null)
        {
            manifest["spec"] = spec;
        }

        return manifest;
    }

    private static JsonObject StringMap(IReadOnlyDictionary<string, string> map) =>
        new(map.OrderBy(entry => entry.Key, StringComparer.Ordinal).Select(entry => KeyValuePair.Create(entry.Key, (JsonNode?)JsonValue.Create(entry.Value))));

    private static JsonObject StringMap(Dictionary<string, string> map) => StringMap((IReadOnlyDictionary<string, string>)map);

    /// <summary>Configuration files as the collector and Grafana read them: JSON is YAML, so the text is indented JSON.</summary>
    private static string Yaml(JsonObject document) => document.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    [GeneratedRegex("""^\s*(?<name>[a-zA-Z_][a-zA-Z0-9_]*)\s*(?<op>=~|!~|!=|=)\s*"(?<value>(?:[^"\\]|\\.)*)"\s*$""", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex MatcherPattern();

}
