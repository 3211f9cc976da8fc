using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.Testing;

namespace GoCoffee.Observability.Tests;

/// <summary>A stack through the API: the operator's objects at the API server, status per component, metrics from Prometheus, deletion.</summary>
public sealed class StackTests(StackTests.Platform platform) : IClassFixture<StackTests.Platform>
{
    public sealed class Platform : StackPlatform
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private bool _ready;

        public async Task Prepare()
        {
            await _gate.WaitAsync();
            try
            {
                if (!_ready)
                {
                    await CreateTenant("ent-customer-1");
                    await CreateTenant("globex");
                    _ready = true;
                }
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    private const string Tenant = "ent-customer-1";
    private const string Ns = "ent-customer-1-1";

    [Fact]
    public async Task The_example_stack_becomes_the_prometheus_operator_objects_grafana_configmaps_and_the_collector_config()
    {
        await platform.Prepare();
        var response = await platform.ApplyStack(Tenant, StackPlatform.Example("observabilitystack-platform-monitoring.yaml"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var stack = await platform.WaitForPhase(Tenant, "platform-monitoring", "Ready");
        var k8s = platform.Kubernetes;

        var prometheus = k8s.Get("prometheuses", Ns, "platform-monitoring")!;
        Assert.Equal(2, (int)prometheus["spec"]!["replicas"]!);
        Assert.Equal("30d", (string?)prometheus["spec"]!["retention"]);
        Assert.Equal("100Gi", (string?)prometheus["spec"]!["storage"]!["volumeClaimTemplate"]!["spec"]!["resources"]!["requests"]!["storage"]);
        Assert.Equal("8Gi", (string?)prometheus["spec"]!["resources"]!["limits"]!["memory"]);
        Assert.Equal(Tenant, (string?)prometheus["spec"]!["externalLabels"]!["tenant"]);

        var monitor = k8s.Get("servicemonitors", Ns, "platform-monitoring-coffee-api")!;
        Assert.Equal("coffee-api", (string?)monitor["spec"]!["selector"]!["matchLabels"]!["app"]);
        Assert.Equal("metrics", (string?)monitor["spec"]!["endpoints"]![0]!["port"]);

        var platformRules = k8s.Get("prometheusrules", Ns, "platform-monitoring-platform")!;
        // The platform pack (infra/monitoring/rules), whole: every alert of every file.
        var packAlerts = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "monitoring", "rules"))
            .SelectMany(File.ReadLines)
            .Select(line => line.Trim())
            .Where(line => line.StartsWith("- alert: ", StringComparison.Ordinal))
            .Select(line => line["- alert: ".Length..])
            .ToList();
        Assert.Contains("GoCoffeeServiceDown", packAlerts);
        var applied = platformRules["spec"]!["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()).Select(r => (string?)r!["alert"]).ToList();
        Assert.Equal(packAlerts.Order(), applied.OfType<string>().Order());
        var userRules = k8s.Get("prometheusrules", Ns, "platform-monitoring-user")!;
        var rule = userRules["spec"]!["groups"]![0]!["rules"]![0]!;
        Assert.Equal("CoffeeApiHighErrorRate", (string?)rule["alert"]);
        Assert.Equal(Tenant, (string?)rule["labels"]!["tenant"]);

        Assert.NotNull(k8s.Get("alertmanagers", Ns, "platform-monitoring"));
        var routing = k8s.Get("alertmanagerconfigs", Ns, "platform-monitoring")!;
        Assert.Equal("on-call", (string?)routing["spec"]!["route"]!["receiver"]);
        Assert.Contains(routing["spec"]!["route"]!["matchers"]!.AsArray(), m => (string?)m!["name"] == "tenant" && (string?)m["value"] == Tenant && (string?)m["matchType"] == "=");
        Assert.Equal("slack-webhook", (string?)routing["spec"]!["receivers"]![1]!["slackConfigs"]![0]!["apiURL"]!["name"]);

        var dashboards = k8s.Objects("configmaps", Ns).Where(c => (string?)c["metadata"]!["labels"]?["grafana_dashboard"] == "1").ToList();
        var coffee = Assert.Single(dashboards, c => (string?)c["metadata"]!["name"] == "platform-monitoring-dashboard-coffee-orders");
        Assert.Equal("Coffee", (string?)coffee["metadata"]!["annotations"]!["grafana_folder"]);
        var datasources = k8s.Get("configmaps", Ns, "platform-monitoring-datasources")!;
        Assert.Equal("1", (string?)datasources["metadata"]!["labels"]!["grafana_datasource"]);
        var sources = JsonNode.Parse((string)datasources["data"]!["datasources.yaml"]!)!["datasources"]!.AsArray();
        Assert.Contains(sources, s => (string?)s!["type"] == "prometheus");
        Assert.Contains(sources, s => (string?)s!["type"] == "jaeger");
        Assert.Contains(sources, s => (string?)s!["type"] == "elasticsearch");

        var collector = JsonNode.Parse((string)k8s.Get("configmaps", Ns, "platform-monitoring-otel-collector")!["data"]!["collector.yaml"]!)!;
        Assert.Equal("platform-monitoring-jaeger-collector.ent-customer-1-1.svc:4317", (string?)collector["exporters"]!["otlp/jaeger"]!["endpoint"]);
        Assert.Equal("otlp/jaeger", (string?)collector["service"]!["pipelines"]!["traces"]!["exporters"]![0]);
        Assert.Equal("elasticsearch", (string?)collector["service"]!["pipelines"]!["logs"]!["exporters"]![0]);
        Assert.Equal(10.0, (double)collector["processors"]!["probabilistic_sampler"]!["sampling_percentage"]!);

        var components = stack.GetProperty("status").GetProperty("components");
        foreach (var component in new[] { "prometheus", "alertmanager", "grafana", "jaeger", "elasticsearch", "otel-collector" })
        {
            Assert.Equal("Ready", components.GetProperty(component).GetProperty("status").GetString());
        }

        Assert.Equal("http://prometheus-operated.ent-customer-1-1.svc:9090", components.GetProperty("prometheus").GetProperty("endpoint").GetString());
    }

    [Fact]
    public async Task Logs_go_to_loki_when_the_aggregation_backend_says_loki()
    {
        await platform.Prepare();
        var response = await platform.ApplyStack(Tenant, Minimal("loki-logs", "logging: { aggregation: { enabled: true, backend: loki } }"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await platform.WaitForPhase(Tenant, "loki-logs", "Ready");
        var collector = JsonNode.Parse((string)platform.Kubernetes.Get("configmaps", Ns, "loki-logs-otel-collector")!["data"]!["collector.yaml"]!)!;
        Assert.Equal("http://loki-logs-loki.ent-customer-1-1.svc:3100/loki/api/v1/push", (string?)collector["exporters"]!["loki"]!["endpoint"]);
        Assert.Null(collector["exporters"]!["elasticsearch"]);
        Assert.Equal("loki", (string?)collector["service"]!["pipelines"]!["logs"]!["exporters"]![0]);
    }

    [Fact]
    public async Task The_stack_status_carries_targets_rules_and_firing_alerts_read_from_a_real_prometheus()
    {
        await platform.Prepare();
        Assert.Equal(HttpStatusCode.Accepted, (await platform.ApplyStack(Tenant, Minimal("metered"))).StatusCode);
        var stack = await platform.WaitForStack(
            Tenant,
            "metered",
            s => s.GetProperty("status").TryGetProperty("metrics", out var m) && m.ValueKind == JsonValueKind.Object
                && m.GetProperty("targetsDiscovered").GetInt32() == 2 && m.GetProperty("targetsUp").GetInt32() == 1
                && m.GetProperty("rulesLoaded").GetInt32() == 2 && m.GetProperty("alertsActive").GetInt32() == 1,
            "the stack's metrics match what Prometheus reports: 2 targets, 1 up, 2 rules, 1 alert firing");
        Assert.Contains(stack.GetProperty("status").GetProperty("conditions").EnumerateArray(), c => c.GetProperty("type").GetString() == "MetricsAvailable" && c.GetProperty("status").GetString() == "True");
    }

    [Fact]
    public async Task A_stack_with_an_invalid_rule_expression_is_refused_with_promtools_parse_error_before_anything_is_applied()
    {
        await platform.Prepare();
        var response = await platform.ApplyStack(Tenant, Minimal("bad-rules", """
            monitoring:
              rules:
                - name: good
                  rules: [{ alert: Fine, expr: "up == 0" }]
                - name: broken
                  rules:
                    - { alert: AlsoFine, expr: "up == 1" }
                    - { alert: Broken, expr: "rate(http_requests_total[5m] > 1" }
            """));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var message = problem.GetProperty("errors").GetProperty("spec.monitoring.rules[1].rules[1].expr")[0].GetString();
        Assert.Contains("parse error", message);
        Assert.Contains("unclosed left parenthesis", message);
        Assert.Equal(HttpStatusCode.NotFound, (await platform.Client(Tenant).GetAsync("/api/observability/stacks/bad-rules")).StatusCode);
        Assert.Null(platform.Kubernetes.Get("prometheuses", Ns, "bad-rules"));
    }

    [Fact]
    public async Task Without_promtool_the_service_refuses_rules_it_cannot_check_and_says_why()
    {
        await platform.Prepare();
        await using var unchecked_ = await platform.StartObservability(new Dictionary<string, string?> { ["Observability:Stacks:Promtool"] = "/nonexistent/promtool" });
        using var content = new StringContent(Minimal("unchecked", "monitoring: { rules: [{ name: g, rules: [{ alert: A, expr: \"up == 0\" }] }] }"), System.Text.Encoding.UTF8, "application/yaml");
        var response = await unchecked_.ClientForTenant(Tenant).PostAsync("/api/observability/stacks", content);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("promtool", problem.GetProperty("errors").GetProperty("spec.monitoring.rules")[0].GetString());
        Assert.Null(platform.Kubernetes.Get("prometheuses", Ns, "unchecked"));
    }

    [Fact]
    public async Task Switching_grafana_off_removes_its_configmaps_and_deleting_the_stack_removes_every_object()
    {
        await platform.Prepare();
        var grafana = "  components: { prometheus: { enabled: true }, grafana: { enabled: true, adminPasswordSecretRef: { name: g, key: p }, dashboards: [{ name: d1, json: '{}' }] } }\n";
        Assert.Equal(HttpStatusCode.Accepted, (await platform.ApplyStack(Tenant, Minimal("pruned", components: grafana))).StatusCode);
        await platform.WaitForPhase(Tenant, "pruned", "Ready");
        Assert.NotNull(platform.Kubernetes.Get("configmaps", Ns, "pruned-dashboard-d1"));

        Assert.Equal(HttpStatusCode.Accepted, (await platform.ApplyStack(Tenant, Minimal("pruned"))).StatusCode);
        await platform.WaitForStack(Tenant, "pruned", s => s.GetProperty("status").GetProperty("phase").GetString() == "Ready" && s.GetProperty("status").GetProperty("observedGeneration").GetInt64() == 2, "generation 2 is applied");
        Assert.Null(platform.Kubernetes.Get("configmaps", Ns, "pruned-dashboard-d1"));
        Assert.Null(platform.Kubernetes.Get("configmaps", Ns, "pruned-datasources"));

        Assert.Equal(HttpStatusCode.Accepted, (await platform.Client(Tenant).DeleteAsync("/api/observability/stacks/pruned")).StatusCode);
        await TestInfrastructure.Eventually(
            async () => (await platform.Client(Tenant).GetAsync("/api/observability/stacks/pruned")).StatusCode == HttpStatusCode.NotFound ? "gone" : null,
            TimeSpan.FromSeconds(30),
            "the stack is deleted");
        Assert.Null(platform.Kubernetes.Get("prometheuses", Ns, "pruned"));
        Assert.DoesNotContain(platform.Kubernetes.Objects("prometheusrules", Ns), r => ((string?)r["metadata"]!["name"])!.StartsWith("pruned-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stack_the_api_server_refuses_part_of_is_Failed_naming_the_object_and_what_it_created_is_removed()
    {
        await platform.Prepare();
        using var refusal = platform.Kubernetes.FailNext("patch", "alertmanagers", FakeKubernetes.FakeFailure.Forbidden("alertmanagers.monitoring.coreos.com \"refused\" is forbidden: exceeded quota"), name: "refused");
        var response = await platform.ApplyStack(Tenant, Minimal("refused", components: "  components: { prometheus: { enabled: true }, alertmanager: { enabled: true } }\n"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var stack = await platform.WaitForPhase(Tenant, "refused", "Failed");
        var ready = stack.GetProperty("status").GetProperty("conditions").EnumerateArray().Single(c => c.GetProperty("type").GetString() == "Ready");
        Assert.Contains("Alertmanager ent-customer-1-1/refused", ready.GetProperty("message").GetString());
        Assert.Contains("exceeded quota", ready.GetProperty("message").GetString());
        Assert.Null(platform.Kubernetes.Get("prometheuses", Ns, "refused"));
        Assert.Contains(platform.Kubernetes.Requests, r => r.Verb == "delete" && r.Resource == "prometheuses" && r.Name == "refused");
    }

    [Fact]
    public async Task A_tenant_cannot_see_use_or_scrape_another_tenants_stacks_and_namespaces()
    {
        await platform.Prepare();
        Assert.Equal(HttpStatusCode.Accepted, (await platform.ApplyStack(Tenant, Minimal("private"))).StatusCode);
        await platform.WaitForPhase(Tenant, "private", "Ready");

        Assert.Equal(HttpStatusCode.NotFound, (await platform.Client("globex").GetAsync("/api/observability/stacks/private")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await platform.Client("globex").GetAsync($"/api/observability/stacks/private?namespace={Ns}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await platform.Client("globex").DeleteAsync($"/api/observability/stacks/private?namespace={Ns}")).StatusCode);
        var list = await platform.Client("globex").GetFromJsonAsync<JsonElement>("/api/observability/stacks");
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), s => s.GetProperty("name").GetString() == "private");
        Assert.Equal(HttpStatusCode.Forbidden, (await platform.Client("globex").GetAsync($"/api/observability/stacks?tenantId={Tenant}")).StatusCode);

        await AssertRefused("globex", Minimal("intruder").Replace("namespace: ent-customer-1-1", $"namespace: {Ns}", StringComparison.Ordinal), "metadata.namespace");
        await AssertRefused("globex", Minimal("intruder", $"monitoring: {{ targets: [{{ name: t, namespace: {Ns}, selector: {{ app: x }} }}] }}", ns: "globex-1"), "spec.monitoring.targets[0].namespace");
        await AssertRefused("globex", Minimal("intruder", $"monitoring: {{ rules: [{{ name: g, rules: [{{ alert: A, expr: up, labels: {{ tenant: {Tenant} }} }}] }}] }}", ns: "globex-1"), "spec.monitoring.rules[0].rules[0].labels.tenant");

        // globex's own stack routes only globex's alerts.
        Assert.Equal(HttpStatusCode.Accepted, (await platform.ApplyStack("globex", Minimal("own", ns: "globex-1", components: "  components: { alertmanager: { enabled: true } }\n"))).StatusCode);
        await platform.WaitForPhase("globex", "own", "Ready");
        var route = platform.Kubernetes.Get("alertmanagerconfigs", "globex-1", "own")!["spec"]!["route"]!;
        var matcher = Assert.Single(route["matchers"]!.AsArray());
        Assert.Equal("globex", (string?)matcher!["value"]);
        Assert.Null(platform.Kubernetes.Get("prometheuses", Ns, "intruder"));
    }

    private async Task AssertRefused(string tenant, string document, string field)
    {
        var response = await platform.ApplyStack(tenant, document);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    /// <summary>A small valid stack (Prometheus only, unless <paramref name="components"/> says otherwise) plus <paramref name="extra"/> spec lines.</summary>
    internal static string Minimal(string name, string extra = "", string ns = Ns, string? components = null) =>
        $"""
        apiVersion: observability.gocoffee.dev/v1
        kind: ObservabilityStack
        metadata:
          name: {name}
          namespace: {ns}
        spec:
          stackName: {name}

        """ + (components ?? "  components: { prometheus: { enabled: true } }\n") + string.Join('\n', extra.Split('\n').Select(line => line.Length == 0 ? line : "  " + line)) + "\n";
}
