using System.Text.Json;
using System.Text.RegularExpressions;
using GoCoffee.Contracts.Observability;
using GoCoffee.Resources;

namespace GoCoffee.Observability.Stacks;

/// <summary>
/// Every rule an ObservabilityStack document must meet that needs only the document, each answered with the field it
/// concerns. Rule expressions are checked separately, by <see cref="RuleExpressionCheck"/> (promtool). Secrets are
/// only ever references: an inline password, API URL or key is refused with its field.
/// </summary>
public static partial class StackRules
{
    public static readonly IReadOnlyList<string> JaegerStrategies = ["allInOne", "production"];
    public static readonly IReadOnlyList<string> JaegerStorageTypes = ["memory", "elasticsearch", "cassandra"];
    public static readonly IReadOnlyList<string> FluentdOutputs = ["elasticsearch", "loki", "cloudwatch", "stdout"];
    public static readonly IReadOnlyList<string> DatasourceTypes = ["prometheus", "jaeger", "elasticsearch", "loki", "alertmanager", "tempo"];
    public static readonly IReadOnlyList<string> TraceExporters = ["jaeger", "otlp", "logging"];
    public static readonly IReadOnlyList<string> LogLevels = ["debug", "info", "warn", "error"];
    public static readonly IReadOnlyList<string> LogFormats = ["json", "text"];
    public static readonly IReadOnlyList<string> LogBackends = ["elasticsearch", "loki", "cloudwatch"];
    public static readonly IReadOnlyList<string> ResourceNames = ["cpu", "memory"];

    public const int MaxTargets = 50;
    public const int MaxRuleGroups = 50;
    public const int MaxRules = 500;
    public const int MaxDashboards = 50;
    public const int MaxDashboardBytes = 128 * 1024;
    public const int MaxRouteDepth = 5;

    /// <summary>The label the platform puts on every alert of a tenant's stack; a rule or route may not set or match another value.</summary>
    public const string TenantLabel = "tenant";

    public static Dictionary<string, string[]> Check(ObservabilityStackResource? resource, string tenantId, Func<string, bool> isTenantNamespace)
    {
        var errors = new Dictionary<string, string[]>();
        void Fail(string field, string message) => errors.TryAdd(field, [message]);
        if (resource is null)
        {
            Fail("$", "is required");
            return errors;
        }

        if (resource.ApiVersion != $"{ObservabilityStackResource.Group}/{ObservabilityStackResource.Version}")
        {
            Fail("apiVersion", $"must be {ObservabilityStackResource.Group}/{ObservabilityStackResource.Version}");
        }

        if (resource.Kind != ObservabilityStackResource.ResourceKind)
        {
            Fail("kind", $"must be {ObservabilityStackResource.ResourceKind}");
        }

        if (!IsDnsLabel(resource.Metadata?.Name) || resource.Metadata!.Name!.Length > 40)
        {
            Fail("metadata.name", "is required: a DNS label (lowercase letters, digits, '-') of at most 40 characters (the stack's objects are named after it)");
        }

        if (resource.Metadata?.Namespace is { } ns && !isTenantNamespace(ns))
        {
            Fail("metadata.namespace", $"'{Clip(ns)}' is not a namespace of tenant '{tenantId}'");
        }

        var spec = resource.Spec;
        if (spec is null)
        {
            Fail("spec", "is required");
            return errors;
        }

        if (!IsDnsLabel(spec.StackName))
        {
            Fail("spec.stackName", "is required: a DNS label");
        }

        if (spec.Components is null)
        {
            Fail("spec.components", "is required: at least prometheus, grafana, jaeger, elasticsearch, fluentd or alertmanager");
        }
        else
        {
            CheckComponents(spec.Components, Fail);
        }

        CheckMonitoring(spec.Monitoring, tenantId, isTenantNamespace, Fail);
        if (spec.Tracing is { } tracing)
        {
            if (tracing.SamplingRate is < 0 or > 1 || (tracing.SamplingRate is { } rate && double.IsNaN(rate)))
            {
                Fail("spec.tracing.samplingRate", "must be between 0 and 1");
            }

            CheckEach(tracing.Exporters, "spec.tracing.exporters", TraceExporters, Fail);
        }

        if (spec.Logging is { } logging)
        {
            OneOf(logging.Level, "spec.logging.level", LogLevels, Fail);
            OneOf(logging.Format, "spec.logging.format", LogFormats, Fail);
            if (logging.Retention is { } retention && !IsDuration(retention))
            {
                Fail("spec.logging.retention", "must be a duration such as 7d or 12h");
            }

            OneOf(logging.Aggregation?.Backend, "spec.logging.aggregation.backend", LogBackends, Fail);
        }

        return errors;
    }

    private static void CheckComponents(StackComponents c, Action<string, string> fail)
    {
        if (c.Prometheus is { } p)
        {
            const string at = "spec.components.prometheus";
            if (p.Retention is { } retention && !IsDuration(retention))
            {
                fail($"{at}.retention", "must be a Prometheus duration such as 15d, 12h or 1w");
            }

            if (p.Storage is { } storage && (!Quantity.TryParse(storage, out var bytes) || bytes <= 0))
            {
                fail($"{at}.storage", "must be a positive Kubernetes quantity such as 50Gi");
            }

            if (p.Replicas is < 1 or > 10)
            {
                fail($"{at}.replicas", "must be between 1 and 10");
            }

            CheckResources(p.Resources?.Requests, $"{at}.resources.requests", fail);
            CheckResources(p.Resources?.Limits, $"{at}.resources.limits", fail);
        }

        if (c.Grafana is { } g)
        {
            const string at = "spec.components.grafana";
            if (g.AdminPassword is not null)
            {
                fail($"{at}.adminPassword", "inline secret values are refused: put the password in a Secret and name it with adminPasswordSecretRef {name, key}");
            }

            CheckSecretRef(g.AdminPasswordSecretRef, $"{at}.adminPasswordSecretRef", fail);
            if (g.Enabled == true && g.AdminPasswordSecretRef is null && g.AdminPassword is null)
            {
                fail($"{at}.adminPasswordSecretRef", "is required when Grafana is enabled: a Secret {name, key} holding the admin password");
            }

            var dashboards = g.Dashboards ?? [];
            if (dashboards.Count > MaxDashboards)
            {
                fail($"{at}.dashboards", $"at most {MaxDashboards} dashboards");
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < Math.Min(dashboards.Count, MaxDashboards); i++)
            {
                var d = dashboards[i];
                var field = $"{at}.dashboards[{i}]";
                if (!IsDnsLabel(d?.Name) || d!.Name!.Length > 40)
                {
                    fail($"{field}.name", "is required: a DNS label of at most 40 characters");
                }
                else if (!names.Add(d.Name))
                {
                    fail($"{field}.name", $"'{d.Name}' is named twice");
                }

                if (d?.Folder is { } folder && (folder.Length is 0 or > 100 || folder.Any(char.IsControl)))
                {
                    fail($"{field}.folder", "must be 1 to 100 printable characters");
                }

                if (d?.Json is null)
                {
                    fail($"{field}.json", "is required: the dashboard's JSON model");
                }
                else if (d.Json.Length > MaxDashboardBytes)
                {
                    fail($"{field}.json", $"at most {MaxDashboardBytes} characters");
                }
                else if (!IsJsonObject(d.Json))
                {
                    fail($"{field}.json", "must be a JSON object (Grafana's dashboard model)");
                }
            }

            var sources = g.Datasources ?? [];
            var sourceNames = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < Math.Min(sources.Count, 20); i++)
            {
                var s = sources[i];
                var field = $"{at}.datasources[{i}]";
                if (string.IsNullOrWhiteSpace(s?.Name) || s.Name.Length > 100)
                {
                    fail($"{field}.name", "is required: 1 to 100 characters");
                }
                else if (!sourceNames.Add(s.Name) || s.Name is "Prometheus" or "Alertmanager" or "Jaeger" or "Logs")
                {
                    fail($"{field}.name", $"'{Clip(s.Name)}' is taken (named twice, or one the stack provides)");
                }

                OneOf(s?.Type, $"{field}.type", DatasourceTypes, fail, required: true);
                CheckUrl(s?.Url, $"{field}.url", fail, required: true);
                CheckSecretRef(s?.BasicAuthPasswordSecretRef, $"{field}.basicAuthPasswordSecretRef", fail);
            }

            if (sources.Count > 20)
            {
                fail($"{at}.datasources", "at most 20 datasources");
            }
        }

        if (c.Jaeger is { } j)
        {
            OneOf(j.Strategy, "spec.components.jaeger.strategy", JaegerStrategies, fail);
            OneOf(j.Storage?.Type, "spec.components.jaeger.storage.type", JaegerStorageTypes, fail);
            if (j.Strategy == "production" && j.Storage?.Type == "memory")
            {
                fail("spec.components.jaeger.storage.type", "memory storage is for allInOne only: production needs elasticsearch or cassandra");
            }
        }

        if (c.Elasticsearch is { } e)
        {
            if (e.Nodes is < 1 or > 50)
            {
                fail("spec.components.elasticsearch.nodes", "must be between 1 and 50");
            }

            if (e.Storage is { } storage && (!Quantity.TryParse(storage, out var bytes) || bytes <= 0))
            {
                fail("spec.components.elasticsearch.storage", "must be a positive Kubernetes quantity such as 100Gi");
            }

            if (e.Version is { } version && !Version().IsMatch(version))
            {
                fail("spec.components.elasticsearch.version", "must be a version such as 8.15.0");
            }
        }

        if (c.Fluentd is { } f)
        {
            CheckEach(f.Outputs, "spec.components.fluentd.outputs", FluentdOutputs, fail);
        }

        if (c.Alertmanager?.Config is { } config)
        {
            CheckRouting(config, fail);
        }
    }

    private static void CheckRouting(AlertmanagerRouting config, Action<string, string> fail)
    {
        const string at = "spec.components.alertmanager.config";
        var receivers = config.Receivers ?? [];
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (receivers.Count > 50)
        {
            fail($"{at}.receivers", "at most 50 receivers");
        }

        for (var i = 0; i < Math.Min(receivers.Count, 50); i++)
        {
            var r = receivers[i];
            var field = $"{at}.receivers[{i}]";
            if (!IsDnsLabel(r?.Name))
            {
                fail($"{field}.name", "is required: a DNS label");
            }
            else if (!names.Add(r!.Name!))
            {
                fail($"{field}.name", $"'{r.Name}' is named twice");
            }

            for (var k = 0; k < (r?.WebhookConfigs?.Count ?? 0); k++)
            {
                var w = r!.WebhookConfigs![k];
                var wf = $"{field}.webhookConfigs[{k}]";
                if ((w?.Url is null) == (w?.UrlSecret is null))
                {
                    fail($"{wf}.url", "give either url or urlSecret {name, key}");
                }

                CheckUrl(w?.Url, $"{wf}.url", fail, required: false);
                CheckSecretRef(w?.UrlSecret, $"{wf}.urlSecret", fail);
            }

            for (var k = 0; k < (r?.SlackConfigs?.Count ?? 0); k++)
            {
                var s = r!.SlackConfigs![k];
                CheckSecretRef(s?.ApiUrl, $"{field}.slackConfigs[{k}].apiURL", fail, required: true);
            }

            for (var k = 0; k < (r?.EmailConfigs?.Count ?? 0); k++)
            {
                var e = r!.EmailConfigs![k];
                if (e?.To is null || !e.To.Contains('@', StringComparison.Ordinal) || e.To.Length > 254)
                {
                    fail($"{field}.emailConfigs[{k}].to", "is required: an email address");
                }

                CheckSecretRef(e?.AuthPassword, $"{field}.emailConfigs[{k}].authPassword", fail);
            }

            for (var k = 0; k < (r?.PagerdutyConfigs?.Count ?? 0); k++)
            {
                CheckSecretRef(r!.PagerdutyConfigs![k]?.RoutingKey, $"{field}.pagerdutyConfigs[{k}].routingKey", fail, required: true);
            }
        }

        if (config.Route is { } route)
        {
            CheckRoute(route, $"{at}.route", names, 0, fail);
        }
        else if (receivers.Count > 1)
        {
            fail($"{at}.route", "is required when there is more than one receiver");
        }
    }

    private static void CheckRoute(AlertRoute route, string field, HashSet<string> receivers, int depth, Action<string, string> fail)
    {
        if (depth > MaxRouteDepth)
        {
            fail(field, $"routes nest at most {MaxRouteDepth} levels");
            return;
        }

        if (depth == 0 ? route.Receiver is null || !receivers.Contains(route.Receiver) : route.Receiver is not null && !receivers.Contains(route.Receiver))
        {
            fail($"{field}.receiver", $"must name one of the receivers ({(receivers.Count == 0 ? "none declared" : string.Join(", ", receivers))})");
        }

        foreach (var (duration, name) in new[] { (route.GroupWait, "groupWait"), (route.GroupInterval, "groupInterval"), (route.RepeatInterval, "repeatInterval") })
        {
            if (duration is not null && !IsDuration(duration))
            {
                fail($"{field}.{name}", "must be a duration such as 30s or 4h");
            }
        }

        for (var i = 0; i < (route.Matchers?.Count ?? 0); i++)
        {
            var matcher = route.Matchers![i];
            if (matcher is null || !Matcher().IsMatch(matcher))
            {
                fail($"{field}.matchers[{i}]", "must be a matcher: label=\"value\" (or !=, =~, !~)");
            }
            else if (Matcher().Match(matcher).Groups["name"].Value == TenantLabel)
            {
                fail($"{field}.matchers[{i}]", "the tenant label is matched by the platform (only the stack's tenant's alerts reach its routes)");
            }
        }

        for (var i = 0; i < (route.Routes?.Count ?? 0); i++)
        {
            if (route.Routes![i] is { } child)
            {
                CheckRoute(child, $"{field}.routes[{i}]", receivers, depth + 1, fail);
            }
        }
    }

    private static void CheckMonitoring(StackMonitoring? monitoring, string tenantId, Func<string, bool> isTenantNamespace, Action<string, string> fail)
    {
        var targets = monitoring?.Targets ?? [];
        if (targets.Count > MaxTargets)
        {
            fail("spec.monitoring.targets", $"at most {MaxTargets} targets");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Math.Min(targets.Count, MaxTargets); i++)
        {
            var t = targets[i];
            var field = $"spec.monitoring.targets[{i}]";
            if (!IsDnsLabel(t?.Name) || t!.Name!.Length > 20)
            {
                fail($"{field}.name", "is required: a DNS label of at most 20 characters");
            }
            else if (!names.Add(t.Name))
            {
                fail($"{field}.name", $"'{t.Name}' is named twice");
            }

            if (t?.Namespace is { } ns && !isTenantNamespace(ns))
            {
                fail($"{field}.namespace", $"'{Clip(ns)}' is not a namespace of tenant '{tenantId}': a stack scrapes only its tenant's namespaces");
            }

            if (t?.Selector is not { Count: > 0 } selector)
            {
                fail($"{field}.selector", "is required: the labels of the Services to scrape");
            }
            else if (selector.FirstOrDefault(label => !IsLabelKey(label.Key) || label.Value is null || label.Value.Length > 63) is { Key: not null } bad)
            {
                fail($"{field}.selector.{Clip(bad.Key)}", "must be a label key with a value of at most 63 characters");
            }

            if (t?.Port is { } port && !(port.ValueKind == JsonValueKind.Number && port.TryGetInt32(out var number) && number is > 0 and < 65536)
                && !(port.ValueKind == JsonValueKind.String && IsDnsLabel(port.GetString()) && port.GetString()!.Length <= 15))
            {
                fail($"{field}.port", "must be the Service port's name (at most 15 characters) or a number 1–65535");
            }

            if (t?.Path is { } path && (!path.StartsWith('/') || path.Length > 200 || path.Any(char.IsWhiteSpace)))
            {
                fail($"{field}.path", "must be an absolute path such as /metrics");
            }

            if (t?.Interval is { } interval && !IsDuration(interval))
            {
                fail($"{field}.interval", "must be a duration such as 30s");
            }
        }

        var groups = monitoring?.Rules ?? [];
        if (groups.Count > MaxRuleGroups)
        {
            fail("spec.monitoring.rules", $"at most {MaxRuleGroups} rule groups");
            return;
        }

        if (groups.Sum(g => g?.Rules?.Count ?? 0) > MaxRules)
        {
            fail("spec.monitoring.rules", $"at most {MaxRules} rules in all");
            return;
        }

        var groupNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < groups.Count; i++)
        {
            var g = groups[i];
            var field = $"spec.monitoring.rules[{i}]";
            if (string.IsNullOrWhiteSpace(g?.Name) || g.Name.Length > 100)
            {
                fail($"{field}.name", "is required: 1 to 100 characters");
            }
            else if (!groupNames.Add(g.Name))
            {
                fail($"{field}.name", $"group '{Clip(g.Name)}' is named twice");
            }

            if (g?.Rules is not { Count: > 0 } rules)
            {
                fail($"{field}.rules", "is required: at least one rule");
                continue;
            }

            for (var k = 0; k < rules.Count; k++)
            {
                CheckRule(rules[k], $"{field}.rules[{k}]", tenantId, fail);
            }
        }
    }

    private static void CheckRule(StackRule? rule, string field, string tenantId, Action<string, string> fail)
    {
        if (rule is null)
        {
            fail(field, "is required");
            return;
        }

        if ((rule.Alert is null) == (rule.Record is null))
        {
            fail(field, "a rule is either an alert (alert) or a recording rule (record), not both or neither");
        }

        if (rule.Alert is { } alert && !MetricName().IsMatch(alert))
        {
            fail($"{field}.alert", "must be a name of letters, digits and '_' starting with a letter");
        }

        if (rule.Record is { } record && !RecordName().IsMatch(record))
        {
            fail($"{field}.record", "must be a metric name (letters, digits, '_' and ':')");
        }

        if (string.IsNullOrWhiteSpace(rule.Expr))
        {
            fail($"{field}.expr", "is required: a PromQL expression");
        }
        else if (rule.Expr.Length > 4096)
        {
            fail($"{field}.expr", "at most 4096 characters");
        }

        if (rule.For is { } duration && (!IsDuration(duration) || rule.Record is not null))
        {
            fail($"{field}.for", rule.Record is not null ? "only alerts wait: a recording rule has no for" : "must be a duration such as 5m");
        }

        foreach (var (key, value) in rule.Labels ?? [])
        {
            if (!LabelName().IsMatch(key) || key.StartsWith("__", StringComparison.Ordinal))
            {
                fail($"{field}.labels.{Clip(key)}", "must be a Prometheus label name (letters, digits, '_'; not starting with __)");
            }
            else if (key == TenantLabel && value != tenantId)
            {
                fail($"{field}.labels.{TenantLabel}", $"is set by the platform to '{tenantId}': a stack's alerts are its tenant's only");
            }
        }

        foreach (var key in (rule.Annotations ?? []).Keys)
        {
            if (!LabelName().IsMatch(key))
            {
                fail($"{field}.annotations.{Clip(key)}", "must be a Prometheus label name");
            }
        }
    }

    private static void CheckResources(Dictionary<string, string>? map, string field, Action<string, string> fail)
    {
        foreach (var (key, value) in map ?? [])
        {
            if (!ResourceNames.Contains(key))
            {
                fail($"{field}.{Clip(key)}", "only cpu and memory");
            }
            else if (!Quantity.TryParse(value, out var amount) || amount <= 0)
            {
                fail($"{field}.{key}", "must be a positive Kubernetes quantity such as 500m or 2Gi");
            }
        }
    }

    /// <summary>A Secret reference is an object <c>{name, key}</c>; anything else (a string: the secret itself) is refused.</summary>
    private static void CheckSecretRef(JsonElement? element, string field, Action<string, string> fail, bool required = false)
    {
        if (element is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                fail(field, "is required: a Secret reference {name, key}");
            }

            return;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            fail(field, "inline secret values are refused: reference a Secret in the stack's namespace with {name, key}");
            return;
        }

        var props = value.EnumerateObject().ToList();
        if (props.Any(p => p.Name is not ("name" or "key")))
        {
            fail(field, "a Secret reference has only name and key");
            return;
        }

        if (!value.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || !IsDnsSubdomain(name.GetString()))
        {
            fail($"{field}.name", "is required: the Secret's name");
        }

        if (!value.TryGetProperty("key", out var key) || key.ValueKind != JsonValueKind.String || !SecretKey().IsMatch(key.GetString()!))
        {
            fail($"{field}.key", "is required: a key of the Secret (letters, digits, '-', '_', '.')");
        }
    }

    private static void CheckUrl(string? url, string field, Action<string, string> fail, bool required)
    {
        if (url is null)
        {
            if (required)
            {
                fail(field, "is required: an http or https URL");
            }

            return;
        }

        if (url.Length > 2048 || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            fail(field, "must be an http or https URL");
        }
        else if (uri.UserInfo.Length > 0)
        {
            fail(field, "inline secret values are refused: the URL carries credentials; keep them in a Secret and reference it");
        }
    }

    private static void OneOf(string? value, string field, IReadOnlyList<string> allowed, Action<string, string> fail, bool required = false)
    {
        if (value is null ? required : !allowed.Contains(value))
        {
            fail(field, $"must be one of {string.Join(", ", allowed)}");
        }
    }

    private static void CheckEach(List<string>? values, string field, IReadOnlyList<string> allowed, Action<string, string> fail)
    {
        for (var i = 0; i < (values?.Count ?? 0); i++)
        {
            if (!allowed.Contains(values![i]))
            {
                fail($"{field}[{i}]", $"must be one of {string.Join(", ", allowed)}");
            }
        }
    }

    public static bool IsDnsLabel(string? value) => value is { Length: > 0 and <= 63 } && DnsLabel().IsMatch(value);

    private static bool IsDnsSubdomain(string? value) => value is { Length: > 0 and <= 253 } && value.Split('.').All(IsDnsLabel);

    private static bool IsLabelKey(string key) => key.Length <= 253 && LabelKey().IsMatch(key);

    public static bool IsDuration(string value) => value.Length is > 0 and <= 32 && Duration().IsMatch(value);

    private static bool IsJsonObject(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    internal static string Clip(string value) => value.Length > 64 ? value[..64] + "…" : value;

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelKey();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelName();

    [GeneratedRegex("^[a-zA-Z][a-zA-Z0-9_]{0,199}$", RegexOptions.CultureInvariant)]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$", RegexOptions.CultureInvariant)]
    private static partial Regex RecordName();

    [GeneratedRegex("^[-._a-zA-Z0-9]{1,253}$", RegexOptions.CultureInvariant)]
    private static partial Regex SecretKey();

    [GeneratedRegex(@"^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Duration();

    [GeneratedRegex(@"^\d+\.\d+\.\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex Version();

    [GeneratedRegex("""^\s*(?<name>[a-zA-Z_][a-zA-Z0-9_]*)\s*(?<op>=~|!~|!=|=)\s*"(?<value>(?:[^"\\]|\\.)*)"\s*$""", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex Matcher();
}
