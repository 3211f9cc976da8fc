using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GoCoffee.EndToEnd.Tests.Platform;
using GoCoffee.Monitoring;
using GoCoffee.Testing;
using Xunit;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;

namespace GoCoffee.EndToEnd.Tests.Monitoring;

/// <summary>
/// The alert pack and the dashboards of <c>infra/monitoring</c> against the real platform: the app host's Prometheus
/// scrapes every process and RabbitMQ with the pack loaded; traffic makes every series exist; then every vector selector
/// of every rule, every dashboard panel and every dashboard variable must return series from Prometheus
/// (<c>/api/v1/series</c>), so that no rule or panel watches a metric, or a label, nobody emits.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed partial class MonitoringProofTests(PlatformFixture platform, ITestOutputHelper output)
{
    /// <summary>
    /// Series that only exist in a Kubernetes cluster, with why: the local platform has no pods, no kubelet and no GPU.
    /// Every other series a rule or a panel queries must exist here.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> ClusterOnlySeries = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["kube_pod_container_status_waiting_reason"] = "kube-state-metrics: pods exist only in a cluster",
        ["kube_pod_status_ready"] = "kube-state-metrics: pods exist only in a cluster",
        ["kube_pod_container_resource_limits"] = "kube-state-metrics: container limits exist only in a cluster",
        ["container_cpu_usage_seconds_total"] = "the kubelet's cAdvisor: containers exist only in a cluster",
        ["container_memory_working_set_bytes"] = "the kubelet's cAdvisor: containers exist only in a cluster",
        ["DCGM_FI_DEV_GPU_UTIL"] = "NVIDIA's DCGM exporter on GPU nodes: no GPU here",
    };

    private static readonly string Pack = Path.Combine(RepositoryRoot(), "infra", "monitoring");

    [Fact]
    public async Task Every_series_and_label_each_rule_each_dashboard_panel_and_each_variable_queries_returns_data_from_the_running_platform()
    {
        var since = DateTimeOffset.UtcNow.AddMinutes(-1);
        await DriveTraffic();

        var queries = Queries().Select(query => (query.Source, Expr: Grafana.Expand(query.Expr))).Select(query => (query.Source, query.Expr, Selectors: PromQlSelectors.Of(query.Expr))).ToList();
        var selectors = queries.SelectMany(query => query.Selectors.Select(selector => (query.Source, Selector: selector))).ToList();
        var cluster = selectors.Where(s => s.Selector.Metric is { } metric && ClusterOnlySeries.ContainsKey(metric)).ToList();
        var local = selectors.Except(cluster).ToList();
        Assert.All(ClusterOnlySeries.Keys, metric => Assert.Contains(cluster, s => s.Selector.Metric == metric));
        foreach (var (metric, reason) in ClusterOnlySeries)
        {
            output.WriteLine($"cluster-only series {metric} ({reason}): {string.Join(", ", cluster.Where(s => s.Selector.Metric == metric).Select(s => s.Source).Distinct())}");
        }

        // Gauges read their read models every 5 s and Prometheus scrapes every 5 s: wait until every selector has data,
        // and every label a query groups or matches by is on the series it selects (or made by label_replace).
        List<string> missing = [];
        using var http = new HttpClient { BaseAddress = platform.PrometheusUrl, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        do
        {
            missing = [];
            foreach (var (source, expr, querySelectors) in queries.Where(q => !q.Selectors.Any(s => s.Metric is { } m && ClusterOnlySeries.ContainsKey(m))))
            {
                var labels = new HashSet<string>(PromQlSelectors.CreatedLabels(expr), StringComparer.Ordinal);
                foreach (var selector in querySelectors)
                {
                    var series = await Series(http, selector, since);
                    if (series.Count == 0)
                    {
                        missing.Add($"{source}: {selector}");
                    }

                    labels.UnionWith(series.SelectMany(s => s));
                }

                missing.AddRange(PromQlSelectors.GroupingLabels(expr).Where(label => !labels.Contains(label)).Select(label => $"{source}: groups or matches by '{label}', which none of its series has"));
            }

            if (missing.Count == 0)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        while (DateTime.UtcNow < deadline);

        output.WriteLine($"{local.Count} selectors of {queries.Count} rule, panel and variable queries checked against Prometheus; {cluster.Count} cluster-only");
        if (missing.Count > 0)
        {
            // What Prometheus does have under the same first two words of each missing name: a renamed series shows here.
            var names = (await http.GetFromJsonAsync<JsonElement>("/api/v1/label/__name__/values")).GetProperty("data").EnumerateArray().Select(n => n.GetString()!).ToList();
            var near = missing.Where(m => !m.Contains("groups or matches by", StringComparison.Ordinal)).Select(m => m[(m.LastIndexOf(": ", StringComparison.Ordinal) + 2)..].Split('{')[0]).Distinct()
                .Select(m => $"{m}: Prometheus has {string.Join(", ", names.Where(n => n.StartsWith(string.Join('_', m.Split('_').Take(2)), StringComparison.Ordinal)).Take(15))}");
            Assert.Fail($"Selectors without data on the running platform:{Environment.NewLine}{string.Join(Environment.NewLine, missing.Distinct())}{Environment.NewLine}{string.Join(Environment.NewLine, near)}");
        }
    }

    /// <summary>
    /// Tenants (one with AI), orders paid and declined, an order made ready, an AI workload, a shop event the orders
    /// service refuses (its <c>_error</c> queue), and web3 stopped long enough for its GoCoffeeServiceDown alert to fire
    /// and reach Alertmanager, while the gateway answers 502 for it; then web3 again.
    /// </summary>
    private async Task DriveTraffic()
    {
        var tenant = await CoffeeTenant.Onboard(platform, "mon", ai: new { enabled = true, models = new[] { "coffee-recommendation" }, gpuQuota = 1, gpuTypes = new[] { "nvidia-tesla-t4" } });

        // Orders: one paid and made ready, one declined.
        var paidId = (await tenant.Place($"mon-{Guid.NewGuid():N}")).GetProperty("id").GetGuid();
        var declinedId = (await tenant.Place($"mon-{Guid.NewGuid():N}")).GetProperty("id").GetGuid();
        await tenant.UntilStatus([paidId, declinedId], "AwaitingPayment");
        using (var paid = await tenant.Send(HttpMethod.Post, $"/api/orders/{tenant.Id}/orders/{paidId}/payments", new { token = "tok_approve" }))
        {
            Assert.True(paid.StatusCode == HttpStatusCode.Created, $"paying answered {(int)paid.StatusCode}: {await paid.Content.ReadAsStringAsync()}");
        }

        using (var declined = await tenant.Send(HttpMethod.Post, $"/api/orders/{tenant.Id}/orders/{declinedId}/payments", new { token = "tok_decline" }))
        {
            Assert.True((int)declined.StatusCode is >= 400 and < 500, $"a declined card answered {(int)declined.StatusCode}");
        }

        await tenant.UntilStatus(paidId, "Paid");
        using (var brewing = await tenant.Send(HttpMethod.Post, $"/api/orders/{tenant.Id}/orders/{paidId}/brewing"))
        {
            Assert.Equal(HttpStatusCode.Accepted, brewing.StatusCode);
        }

        await tenant.UntilStatus(paidId, "Brewing");
        await ShopSystem.Publish(platform, paidId, tenant.Id, "ready");
        await tenant.UntilStatus(paidId, "Ready");

        // A shop event for an order that does not exist: refused into orders-shop-events_error, which then exists (the bus
        // dashboard's error queues). Emptied again once there: the other tests of the collection expect no dead letters.
        await ShopSystem.Publish(platform, Guid.NewGuid(), tenant.Id, "ready");
        await TestInfrastructure.Eventually(
            async () => await platform.VirtualHost.MessageCount("orders-shop-events_error") == 1 ? (bool?)true : null,
            TimeSpan.FromSeconds(30),
            "the refused shop event is in orders-shop-events_error");
        await platform.VirtualHost.Purge("orders-shop-events_error");

        // An AI workload on the tenant's GPU quota.
        await tenant.DeployRecommender("recommender");

        // web3 stops: the gateway answers its routes with a 5xx, its queues lose their consumers, its alert fires.
        var web3 = platform["web3"];
        await web3.Kill();
        try
        {
            using (var unavailable = await tenant.Send(HttpMethod.Get, $"/api/web3/{tenant.Id}/invoices"))
            {
                Assert.True((int)unavailable.StatusCode >= 500, $"the gateway answered {(int)unavailable.StatusCode} for a stopped service");
            }

            var alert = JsonDocument.Parse(await TestInfrastructure.Eventually(
                async () =>
                {
                    var alerts = await platform.Http.GetFromJsonAsync<JsonElement>(new Uri(platform.AlertmanagerUrl, "/api/v2/alerts"));
                    return alerts.EnumerateArray()
                        .Where(a => a.GetProperty("labels").TryGetProperty("alertname", out var name) && name.GetString() == "GoCoffeeServiceDown")
                        .Where(a => a.GetProperty("labels").TryGetProperty("service", out var service) && service.GetString() == "web3")
                        .Select(a => a.GetRawText())
                        .FirstOrDefault();
                },
                TimeSpan.FromSeconds(150),
                "Prometheus fires GoCoffeeServiceDown for web3 and Alertmanager holds it")).RootElement;
            output.WriteLine($"Alertmanager holds: {alert}");
            Assert.Equal("critical", alert.GetProperty("labels").GetProperty("severity").GetString());
            Assert.False(string.IsNullOrWhiteSpace(alert.GetProperty("annotations").GetProperty("runbook").GetString()));

            // ... and Alertmanager delivers it to the observability service's intake, where the console lists it.
            using var operatorHttp = new HttpClient { BaseAddress = platform.Gateway.BaseAddress };
            operatorHttp.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", platform.OperatorToken);
            var listed = await TestInfrastructure.Eventually(
                async () =>
                {
                    var firing = await operatorHttp.GetStringAsync("/api/observability/alerts?status=firing");
                    return firing.Contains("GoCoffeeServiceDown", StringComparison.Ordinal) && firing.Contains("web3", StringComparison.Ordinal) ? firing : null;
                },
                TimeSpan.FromSeconds(90),
                "Alertmanager posts GoCoffeeServiceDown to the alert intake and the console's alert list shows it");
            output.WriteLine($"The console lists: {listed}");
        }
        finally
        {
            // Back as the collection's other tests expect it: running, and served by the gateway again.
            await platform.Restart(web3);
            await platform.WaitUntilReady([platform.Gateway], PlatformFixture.StartupTimeout);
        }
    }

    /// <summary>Every query of the pack: rule expressions, panel targets and dashboard variables (<c>label_values(selector, label)</c>).</summary>
    private static List<(string Source, string Expr)> Queries()
    {
        var queries = new List<(string, string)>();
        foreach (var file in Directory.GetFiles(Path.Combine(Pack, "rules"), "*.yml"))
        {
            var yaml = new YamlStream();
            using (var reader = File.OpenText(file))
            {
                yaml.Load(reader);
            }

            var rules = ((YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["groups"]).Cast<YamlMappingNode>()
                .SelectMany(group => ((YamlSequenceNode)group["rules"]).Cast<YamlMappingNode>());
            foreach (var rule in rules)
            {
                var name = rule.Children.TryGetValue("alert", out var alert) ? alert.ToString() : rule["record"].ToString();
                queries.Add(($"{Path.GetFileName(file)} {name}", rule["expr"].ToString()));
            }
        }

        foreach (var file in Directory.GetFiles(Path.Combine(Pack, "dashboards"), "*.json"))
        {
            var dashboard = JsonNode.Parse(File.ReadAllText(file))!;
            foreach (var panel in dashboard["panels"]!.AsArray())
            {
                foreach (var target in panel!["targets"]?.AsArray() ?? [])
                {
                    queries.Add(($"{Path.GetFileName(file)} panel '{panel["title"]}'", target!["expr"]!.GetValue<string>()));
                }
            }

            foreach (var variable in dashboard["templating"]!["list"]!.AsArray().Where(v => v!["type"]!.GetValue<string>() == "query"))
            {
                var definition = LabelValues().Match(variable!["definition"]!.GetValue<string>());
                Assert.True(definition.Success, $"{Path.GetFileName(file)} variable {variable["name"]}: not label_values(selector, label)");
                // The label the variable lists must be on the selected series: required by the selector itself.
                var selector = definition.Groups["selector"].Value;
                var withLabel = selector.EndsWith('}') ? $"{selector[..^1]},{definition.Groups["label"].Value}=~\".+\"}}" : $"{selector}{{{definition.Groups["label"].Value}=~\".+\"}}";
                queries.Add(($"{Path.GetFileName(file)} variable ${variable["name"]}", withLabel));
            }
        }

        return queries;
    }

    /// <summary>The label names of each series <paramref name="selector"/> matched since <paramref name="since"/>.</summary>
    private static async Task<List<List<string>>> Series(HttpClient prometheus, VectorSelector selector, DateTimeOffset since)
    {
        var query = $"/api/v1/series?match[]={Uri.EscapeDataString(selector.ToString())}&start={since.ToUnixTimeSeconds()}";
        var answer = await prometheus.GetFromJsonAsync<JsonElement>(query);
        return [.. answer.GetProperty("data").EnumerateArray().Select(series => series.EnumerateObject().Select(label => label.Name).ToList())];
    }

    [GeneratedRegex(@"^label_values\((?<selector>.+),\s*(?<label>[A-Za-z_][A-Za-z0-9_]*)\)$")]
    private static partial Regex LabelValues();

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GoCoffee.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("No GoCoffee.sln above the test's folder.");
    }
}
