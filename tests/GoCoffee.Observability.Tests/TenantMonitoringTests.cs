using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.Testing;

namespace GoCoffee.Observability.Tests;

/// <summary>The tenant's monitoring step: onboarding waits for its alert route and dashboards folder; deletion removes them.</summary>
public sealed class TenantMonitoringTests(StackPlatform platform) : IClassFixture<StackPlatform>
{
    [Fact]
    public async Task Onboarding_reaches_Active_only_after_the_monitoring_step_wrote_the_tenants_alert_route_and_dashboards_folder()
    {
        await platform.CreateTenant("roastery");
        var audit = await platform.Tenants.Client.GetFromJsonAsync<JsonElement>("/api/tenants/roastery/audit");
        var events = audit.EnumerateArray().Select(e => e.GetProperty("event").GetString()!).ToList();
        var provisioned = events.FindIndex(e => e.Contains("namespaces_provisioned", StringComparison.OrdinalIgnoreCase));
        var monitoring = events.FindIndex(e => e.Contains("monitoring_configured", StringComparison.OrdinalIgnoreCase));
        Assert.True(provisioned >= 0 && monitoring > provisioned, string.Join(", ", events));
        var tenant = await platform.Tenants.Client.GetFromJsonAsync<JsonElement>("/api/tenants/roastery");
        var synced = tenant.GetProperty("status").GetProperty("conditions").EnumerateArray().Single(c => c.GetProperty("type").GetString() == "Synced");
        Assert.Contains("AlertmanagerConfig roastery-1/tenant-alert-route", synced.GetProperty("message").GetString());

        var route = platform.Kubernetes.Get("alertmanagerconfigs", "roastery-1", "tenant-alert-route")!;
        Assert.Equal("roastery", (string?)route["metadata"]!["labels"]!["gocoffee.dev/tenant"]);
        var matcher = Assert.Single(route["spec"]!["route"]!["matchers"]!.AsArray())!;
        Assert.Equal(("tenant", "roastery", "="), ((string?)matcher["name"], (string?)matcher["value"], (string?)matcher["matchType"]));
        Assert.EndsWith("?tenantId=roastery", (string?)route["spec"]!["receivers"]![0]!["webhookConfigs"]![0]!["url"]);

        var dashboards = platform.Kubernetes.Get("configmaps", "roastery-1", "tenant-dashboards")!;
        Assert.Equal("1", (string?)dashboards["metadata"]!["labels"]!["grafana_dashboard"]);
        Assert.Equal("tenant-roastery", (string?)dashboards["metadata"]!["annotations"]!["grafana_folder"]);
        var overview = JsonNode.Parse((string)dashboards["data"]!["roastery-overview.json"]!)!;
        Assert.All(overview["panels"]!.AsArray(), panel => Assert.Contains("tenant=\"roastery\"", (string?)panel!["targets"]![0]!["expr"]));
    }

    [Fact]
    public async Task Alertmanager_routes_a_tenants_alerts_only_to_that_tenants_receiver()
    {
        await platform.CreateTenant("north");
        await platform.CreateTenant("south");
        var configs = new[] { "north", "south" }.Select(t => platform.Kubernetes.Get("alertmanagerconfigs", $"{t}-1", "tenant-alert-route")!).ToList();

        // The Prometheus operator's rendering of AlertmanagerConfigs (matcher strategy OnNamespace): one child route per
        // config under a catch-all, its receiver named <namespace>/<name>/<receiver>, continue: true, plus a namespace matcher.
        var routes = new JsonArray();
        var receivers = new JsonArray(new JsonObject { ["name"] = "null" });
        foreach (var config in configs)
        {
            var ns = (string)config["metadata"]!["namespace"]!;
            var prefix = $"{ns}/{(string)config["metadata"]!["name"]!}/";
            var route = config["spec"]!["route"]!;
            var matchers = new JsonArray([.. route["matchers"]!.AsArray().Select(m => (JsonNode)JsonValue.Create($"{m!["name"]}{m["matchType"]}\"{m["value"]}\"")!)]);
            matchers.Add(JsonValue.Create($"namespace=\"{ns}\""));
            routes.Add(new JsonObject { ["receiver"] = prefix + (string)route["receiver"]!, ["matchers"] = matchers, ["continue"] = true });
            foreach (var receiver in config["spec"]!["receivers"]!.AsArray())
            {
                var hooks = new JsonArray([.. receiver!["webhookConfigs"]!.AsArray().Select(w => (JsonNode)new JsonObject { ["url"] = w!["url"]!.DeepClone(), ["send_resolved"] = true })]);
                receivers.Add(new JsonObject { ["name"] = prefix + (string)receiver["name"]!, ["webhook_configs"] = hooks });
            }
        }

        var file = Path.Combine(Path.GetTempPath(), $"gocoffee-alertmanager-{Guid.NewGuid():N}.yml");
        try
        {
            await File.WriteAllTextAsync(file, new JsonObject { ["route"] = new JsonObject { ["receiver"] = "null", ["routes"] = routes }, ["receivers"] = receivers }.ToJsonString());
            Assert.Contains("SUCCESS", await Amtool("check-config", file));
            Assert.Equal("north-1/tenant-alert-route/tenant-intake", await Amtool("config", "routes", "test", $"--config.file={file}", "tenant=north", "namespace=north-1", "alertname=OrdersErrorRate"));
            Assert.Equal("south-1/tenant-alert-route/tenant-intake", await Amtool("config", "routes", "test", $"--config.file={file}", "tenant=south", "namespace=south-1", "alertname=OrdersErrorRate"));

            // An alert labelled for north from south's namespace (or the reverse) reaches neither tenant.
            Assert.Equal("null", await Amtool("config", "routes", "test", $"--config.file={file}", "tenant=north", "namespace=south-1", "alertname=Spoofed"));
            Assert.Equal("null", await Amtool("config", "routes", "test", $"--config.file={file}", "tenant=south", "namespace=north-1", "alertname=Spoofed"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Deleting_the_tenant_removes_its_alert_route_and_dashboards_folder()
    {
        await platform.CreateTenant("closing");
        Assert.NotNull(platform.Kubernetes.Get("alertmanagerconfigs", "closing-1", "tenant-alert-route"));
        Assert.Equal(HttpStatusCode.Accepted, (await platform.Tenants.Client.DeleteAsync("/api/tenants/closing?gracePeriodSeconds=2")).StatusCode);
        var plan = await TestInfrastructure.Eventually(
            async () =>
            {
                var response = await platform.Tenants.Client.GetFromJsonAsync<JsonElement>("/api/tenants/closing/deletion-plan");
                return response.GetProperty("planned").GetBoolean() ? (JsonElement?)response : null;
            },
            TimeSpan.FromSeconds(30),
            "the deletion plan lists the tenant's objects");
        var planned = plan!.Value.GetProperty("objects").EnumerateArray().Select(o => $"{o.GetProperty("kind").GetString()} {o.GetProperty("name").GetString()}").ToList();
        Assert.Contains("AlertmanagerConfig tenant-alert-route", planned);
        Assert.Contains("ConfigMap tenant-dashboards", planned);

        await platform.WaitForTenantPhase("closing", "Deleted");
        Assert.Null(platform.Kubernetes.Get("alertmanagerconfigs", "closing-1", "tenant-alert-route"));
        Assert.Null(platform.Kubernetes.Get("configmaps", "closing-1", "tenant-dashboards"));
        Assert.Contains(platform.Kubernetes.Requests, r => r.Verb == "delete" && r.Resource == "alertmanagerconfigs" && r.Name == "tenant-alert-route" && r.Namespace == "closing-1");
    }

    private static async Task<string> Amtool(params string[] arguments)
    {
        var start = new ProcessStartInfo("amtool") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("amtool did not start (Debian's prometheus-alertmanager)");
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"amtool {string.Join(' ', arguments)}: {output}{errors}");
        return output.Trim();
    }
}
