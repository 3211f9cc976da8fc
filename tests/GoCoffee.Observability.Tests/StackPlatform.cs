using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GoCoffee.ClusterAgent;
using GoCoffee.FakeKubernetes;
using GoCoffee.ServiceDefaults;
using GoCoffee.Tenant;
using GoCoffee.Testing;

namespace GoCoffee.Observability.Tests;

/// <summary>
/// The tenant service, the observability service and the cluster-agent for real, over RabbitMQ (each with its own
/// broker user and production's permissions) and PostgreSQL, the agent aimed at the fake Kubernetes API server, and a
/// real Prometheus (Debian's) that the stacks' metrics are read from.
/// </summary>
public class StackPlatform : IAsyncLifetime
{
    private string _kubeconfig = string.Empty;

    public TestDatabase Database { get; private set; } = null!;

    public TestVirtualHost VirtualHost { get; private set; } = null!;

    public FakeKubernetesServer Kubernetes { get; private set; } = null!;

    public TestPrometheus Prometheus { get; private set; } = null!;

    public PlatformHost Tenants { get; private set; } = null!;

    public PlatformHost Agent { get; private set; } = null!;

    public PlatformHost Observability { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Prometheus = await TestPrometheus.Start();
        Database = await TestDatabase.Create();
        VirtualHost = await TestVirtualHost.Create();
        Kubernetes = await FakeKubernetesServer.StartAsync();
        _kubeconfig = Path.Combine(Path.GetTempPath(), $"gocoffee-kubeconfig-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(_kubeconfig, Kubernetes.Kubeconfig());
        Agent = await PlatformHost.Start(
            Database,
            VirtualHost,
            builder => builder.AddClusterAgentService(),
            app => app.MapDefaultEndpoints(),
            new Dictionary<string, string?>
            {
                ["ClusterAgent:Target"] = "kubernetes",
                ["ClusterAgent:Kubeconfig"] = _kubeconfig,
                ["ClusterAgent:Kubernetes:RetryAttempts"] = "3",
                ["ClusterAgent:Kubernetes:RetryDelay"] = "00:00:00.050",
            });
        Tenants = await PlatformHost.Start(
            Database,
            VirtualHost,
            builder => builder.AddTenantService(),
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapTenantApi();
            },
            new Dictionary<string, string?> { ["Tenants:StepTimeout"] = "00:00:30", ["Tenants:DefaultDeletionGracePeriod"] = "00:00:01" });
        Observability = await StartObservability();
    }

    public Task<PlatformHost> StartObservability(IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Observability:Stacks:StepTimeout"] = "00:00:30",
            ["Observability:Stacks:PrometheusUrl"] = Prometheus.Address.ToString(),
            ["Observability:Stacks:MetricsInterval"] = "00:00:00.200",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return PlatformHost.Start(
            Database,
            VirtualHost,
            builder => builder.AddObservabilityService(),
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapObservabilityApi();
            },
            all);
    }

    public async Task DisposeAsync()
    {
        await Observability.DisposeAsync();
        await Tenants.DisposeAsync();
        await Agent.DisposeAsync();
        await Kubernetes.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
        await Prometheus.DisposeAsync();
        File.Delete(_kubeconfig);
    }

    /// <summary>A tenant with one namespace; waits until it is Active.</summary>
    public async Task CreateTenant(string id)
    {
        var yaml = new StringBuilder()
            .AppendLine("apiVersion: tenant.gocoffee.dev/v1")
            .AppendLine("kind: Tenant")
            .AppendLine($"metadata: {{ name: {id} }}")
            .AppendLine("spec:")
            .AppendLine($"  tenantId: {id}")
            .AppendLine("  tier: enterprise")
            .AppendLine("  owners: [\"alice@example.com\"]")
            .AppendLine("  resources: { namespaces: 1, cpu: \"16\", memory: \"32Gi\", storage: \"20Gi\" }")
            .ToString();
        using var content = new StringContent(yaml, Encoding.UTF8, "application/yaml");
        var response = await Tenants.Client.PostAsync("/api/tenants", content);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        await WaitForTenantPhase(id, "Active");
    }

    public Task WaitForTenantPhase(string id, string phase) =>
        TestInfrastructure.Eventually(
            async () => (await Tenants.Client.GetFromJsonAsync<JsonElement>($"/api/tenants/{id}")).GetProperty("status").GetProperty("phase").GetString() == phase ? "ok" : null,
            TimeSpan.FromSeconds(40),
            $"tenant {id} is {phase}");

    public HttpClient Client(string tenantId) => Observability.ClientForTenant(tenantId);

    public async Task<HttpResponseMessage> ApplyStack(string tenantId, string document, string contentType = "application/yaml")
    {
        using var content = new StringContent(document, Encoding.UTF8, contentType);
        return await Client(tenantId).PostAsync("/api/observability/stacks", content);
    }

    public async Task<JsonElement> Stack(string tenantId, string name) =>
        await Client(tenantId).GetFromJsonAsync<JsonElement>($"/api/observability/stacks/{name}");

    public async Task<JsonElement> WaitForStack(string tenantId, string name, Func<JsonElement, bool> condition, string because) =>
        (await TestInfrastructure.Eventually(
            async () =>
            {
                var response = await Client(tenantId).GetAsync($"/api/observability/stacks/{name}");
                if (!response.IsSuccessStatusCode)
                {
                    return (JsonElement?)null;
                }

                var stack = await response.Content.ReadFromJsonAsync<JsonElement>();
                return condition(stack) ? stack : null;
            },
            TimeSpan.FromSeconds(30),
            because))!.Value;

    public Task<JsonElement> WaitForPhase(string tenantId, string name, string phase) =>
        WaitForStack(tenantId, name, s => s.GetProperty("status").GetProperty("phase").GetString() == phase, $"stack {name} of {tenantId} is {phase}");

    public static string Example(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", name));
}
