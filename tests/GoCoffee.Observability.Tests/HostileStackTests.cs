using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace GoCoffee.Observability.Tests;

/// <summary>Documents the rules refuse: a 4xx problem naming the field and the rule, and nothing applied in the cluster.</summary>
public sealed class HostileStackTests(StackTests.Platform platform) : IClassFixture<StackTests.Platform>
{
    private const string Tenant = "ent-customer-1";

    public static TheoryData<string, string> HostileStacks => new()
    {
        // The document itself.
        { "", "$" },
        { "not json", "$" },
        { "[1,2,3]", "$" },
        { "{\"apiVersion\":\"observability.gocoffee.dev/v1\",\"apiVersion\":\"x\"}", "apiVersion" },
        { new string('[', 200) + new string(']', 200), "$" },
        { Doc(extra: "surprise: 1"), "spec.surprise" },
        { Doc(components: "prometheus: { enabled: true, replicas: \"two\" }"), "spec.components.prometheus.replicas" },
        { Doc(apiVersion: "monitoring.coreos.com/v1"), "apiVersion" },
        { Doc(kind: "Prometheus"), "kind" },
        { Doc(name: "UPPER"), "metadata.name" },
        { Doc(name: new string('a', 41)), "metadata.name" },
        { Doc(ns: "kube-system"), "metadata.namespace" },
        { Doc(ns: "globex-1"), "metadata.namespace" },
        { Doc(stackName: "\"no spaces allowed\""), "spec.stackName" },
        { Doc(components: null), "spec.components" },

        // Components.
        { Doc(components: "prometheus: { retention: forever }"), "spec.components.prometheus.retention" },
        { Doc(components: "prometheus: { storage: \"-5Gi\" }"), "spec.components.prometheus.storage" },
        { Doc(components: "prometheus: { replicas: 0 }"), "spec.components.prometheus.replicas" },
        { Doc(components: "prometheus: { replicas: 1000 }"), "spec.components.prometheus.replicas" },
        { Doc(components: "prometheus: { resources: { requests: { gpu: \"1\" } } }"), "spec.components.prometheus.resources.requests.gpu" },
        { Doc(components: "prometheus: { resources: { limits: { memory: lots } } }"), "spec.components.prometheus.resources.limits.memory" },
        { Doc(components: "grafana: { enabled: true, adminPassword: hunter2 }"), "spec.components.grafana.adminPassword" },
        { Doc(components: "grafana: { enabled: true, adminPasswordSecretRef: hunter2 }"), "spec.components.grafana.adminPasswordSecretRef" },
        { Doc(components: "grafana: { enabled: true, adminPasswordSecretRef: { name: \"../etc\", key: p } }"), "spec.components.grafana.adminPasswordSecretRef.name" },
        { Doc(components: "grafana: { enabled: true }"), "spec.components.grafana.adminPasswordSecretRef" },
        { Doc(components: "grafana: { enabled: true, adminPasswordSecretRef: { name: g, key: p }, dashboards: [{ name: d, json: \"not json\" }] }"), "spec.components.grafana.dashboards[0].json" },
        { Doc(components: "grafana: { enabled: true, adminPasswordSecretRef: { name: g, key: p }, dashboards: [{ name: d, json: \"{}\" }, { name: d, json: \"{}\" }] }"), "spec.components.grafana.dashboards[1].name" },
        { Doc(components: "grafana: { enabled: true, adminPasswordSecretRef: { name: g, key: p }, datasources: [{ name: ds, type: mysql, url: \"http://db\" }] }"), "spec.components.grafana.datasources[0].type" },
        { Doc(components: "grafana: { enabled: true, adminPasswordSecretRef: { name: g, key: p }, datasources: [{ name: ds, type: loki, url: \"http://admin:secret@loki:3100\" }] }"), "spec.components.grafana.datasources[0].url" },
        { Doc(components: "grafana: { enabled: true, adminPasswordSecretRef: { name: g, key: p }, datasources: [{ name: ds, type: loki, url: \"file:///etc/passwd\" }] }"), "spec.components.grafana.datasources[0].url" },
        { Doc(components: "jaeger: { strategy: sidecar }"), "spec.components.jaeger.strategy" },
        { Doc(components: "jaeger: { strategy: production, storage: { type: memory } }"), "spec.components.jaeger.storage.type" },
        { Doc(components: "jaeger: { storage: { type: s3 } }"), "spec.components.jaeger.storage.type" },
        { Doc(components: "elasticsearch: { nodes: 0 }"), "spec.components.elasticsearch.nodes" },
        { Doc(components: "elasticsearch: { version: latest }"), "spec.components.elasticsearch.version" },
        { Doc(components: "fluentd: { outputs: [kafka] }"), "spec.components.fluentd.outputs[0]" },

        // Alert routing: secrets by reference only, routes to declared receivers, the tenant label is the platform's.
        { Doc(components: "alertmanager: { enabled: true, config: { route: { receiver: nowhere }, receivers: [{ name: a }] } }"), "spec.components.alertmanager.config.route.receiver" },
        { Doc(components: "alertmanager: { enabled: true, config: { receivers: [{ name: a, slackConfigs: [{ apiURL: \"https://hooks.slack.com/services/T0/B0/XXXX\" }] }] } }"), "spec.components.alertmanager.config.receivers[0].slackConfigs[0].apiURL" },
        { Doc(components: "alertmanager: { enabled: true, config: { receivers: [{ name: a, emailConfigs: [{ to: ops@example.com, authPassword: hunter2 }] }] } }"), "spec.components.alertmanager.config.receivers[0].emailConfigs[0].authPassword" },
        { Doc(components: "alertmanager: { enabled: true, config: { receivers: [{ name: a, pagerdutyConfigs: [{ routingKey: abc123 }] }] } }"), "spec.components.alertmanager.config.receivers[0].pagerdutyConfigs[0].routingKey" },
        { Doc(components: "alertmanager: { enabled: true, config: { receivers: [{ name: a, webhookConfigs: [{ url: \"https://user:pass@hooks.example.com/x\" }] }] } }"), "spec.components.alertmanager.config.receivers[0].webhookConfigs[0].url" },
        { Doc(components: "alertmanager: { enabled: true, config: { receivers: [{ name: a, webhookConfigs: [{ url: \"https://hooks.example.com/x\", urlSecret: { name: s, key: k } }] }] } }"), "spec.components.alertmanager.config.receivers[0].webhookConfigs[0].url" },
        { Doc(components: "alertmanager: { enabled: true, config: { route: { receiver: a, matchers: [\"tenant=\\\"globex\\\"\"] }, receivers: [{ name: a }] } }"), "spec.components.alertmanager.config.route.matchers[0]" },
        { Doc(components: "alertmanager: { enabled: true, config: { route: { receiver: a, matchers: [\"severity critical\"] }, receivers: [{ name: a }] } }"), "spec.components.alertmanager.config.route.matchers[0]" },
        { Doc(components: "alertmanager: { enabled: true, config: { route: { receiver: a, groupWait: soon }, receivers: [{ name: a }] } }"), "spec.components.alertmanager.config.route.groupWait" },
        { Doc(components: "alertmanager: { enabled: true, config: { route: { receiver: a }, receivers: [{ name: a }, { name: a }] } }"), "spec.components.alertmanager.config.receivers[1].name" },

        // Targets and rules.
        { Doc(extra: "monitoring: { targets: [{ name: t, selector: { app: x }, port: 70000 }] }"), "spec.monitoring.targets[0].port" },
        { Doc(extra: "monitoring: { targets: [{ name: t }] }"), "spec.monitoring.targets[0].selector" },
        { Doc(extra: "monitoring: { targets: [{ name: t, selector: { app: x }, path: \"metrics\" }] }"), "spec.monitoring.targets[0].path" },
        { Doc(extra: "monitoring: { targets: [{ name: t, selector: { app: x }, interval: often }] }"), "spec.monitoring.targets[0].interval" },
        { Doc(extra: "monitoring: { targets: [{ name: t, selector: { app: x }, namespace: kube-system }] }"), "spec.monitoring.targets[0].namespace" },
        { Doc(extra: "monitoring: { targets: [{ name: t, selector: { app: x } }, { name: t, selector: { app: y } }] }"), "spec.monitoring.targets[1].name" },
        { Doc(extra: "monitoring: { rules: [{ name: g, rules: [{ expr: up }] }] }"), "spec.monitoring.rules[0].rules[0]" },
        { Doc(extra: "monitoring: { rules: [{ name: g, rules: [{ alert: A }] }] }"), "spec.monitoring.rules[0].rules[0].expr" },
        { Doc(extra: "monitoring: { rules: [{ name: g, rules: [{ alert: A, expr: up, for: soon }] }] }"), "spec.monitoring.rules[0].rules[0].for" },
        { Doc(extra: "monitoring: { rules: [{ name: g, rules: [{ alert: A, expr: up, labels: { __name__: x } }] }] }"), "spec.monitoring.rules[0].rules[0].labels.__name__" },
        { Doc(extra: "monitoring: { rules: [{ name: g, rules: [{ alert: A, expr: up }] }, { name: g, rules: [{ alert: B, expr: up }] }] }"), "spec.monitoring.rules[1].name" },
        { Doc(extra: "monitoring: { rules: [{ name: g, rules: [{ alert: A, expr: \"sum by (job) (rate(up[5m])\" }] }] }"), "spec.monitoring.rules[0].rules[0].expr" },
        { Doc(extra: "monitoring: { rules: [{ name: g, rules: [{ alert: A, expr: \"up{job=~\\\"(\\\"}\" }] }] }"), "spec.monitoring.rules[0].rules[0].expr" },

        // Tracing and logging.
        { Doc(extra: "tracing: { samplingRate: 1.5 }"), "spec.tracing.samplingRate" },
        { Doc(extra: "tracing: { exporters: [zipkin] }"), "spec.tracing.exporters[0]" },
        { Doc(extra: "logging: { level: loud }"), "spec.logging.level" },
        { Doc(extra: "logging: { format: xml }"), "spec.logging.format" },
        { Doc(extra: "logging: { aggregation: { enabled: true, backend: splunk } }"), "spec.logging.aggregation.backend" },
        { Doc(extra: "logging: { retention: always }"), "spec.logging.retention" },
    };

    [Theory]
    [MemberData(nameof(HostileStacks))]
    public async Task A_hostile_stack_document_is_refused_naming_the_field_and_nothing_is_applied(string document, string field)
    {
        await platform.Prepare();
        var json = document.Length == 0 || document.StartsWith('{') || document.StartsWith('[') || document == "not json";
        using var content = new StringContent(document, Encoding.UTF8, json ? "application/json" : "application/yaml");
        var response = await platform.Client(Tenant).PostAsync("/api/observability/stacks", content);
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Empty(platform.Kubernetes.Objects("prometheuses"));
        foreach (var kind in new[] { "alertmanagers", "alertmanagerconfigs", "servicemonitors", "prometheusrules", "configmaps" })
        {
            Assert.DoesNotContain(platform.Kubernetes.Objects(kind), o => o["metadata"]?["labels"]?["gocoffee.dev/observability-stack"] is not null);
        }
    }

    private static string Doc(
        string apiVersion = "observability.gocoffee.dev/v1",
        string kind = "ObservabilityStack",
        string name = "hostile",
        string ns = "ent-customer-1-1",
        string stackName = "hostile",
        string? components = "prometheus: { enabled: true }",
        string extra = "") =>
        $"""
        apiVersion: {apiVersion}
        kind: {kind}
        metadata:
          name: {name}
          namespace: {ns}
        spec:
          stackName: {stackName}
        {(components is null ? string.Empty : "  components: { " + components + " }")}
          {extra}
        """;
}
