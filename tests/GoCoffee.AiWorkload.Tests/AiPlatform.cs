using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.AiWorkload.Tenants;
using GoCoffee.ClusterAgent;
using GoCoffee.FakeKubernetes;
using GoCoffee.ServiceDefaults;
using GoCoffee.Tenant;
using GoCoffee.Testing;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace GoCoffee.AiWorkload.Tests;

/// <summary>
/// The tenant service, the ai-workload service and the cluster-agent for real, over RabbitMQ (each with its own broker
/// user and production's permissions) and PostgreSQL, the agent aimed at the fake Kubernetes API server.
/// </summary>
public class AiPlatform : IAsyncLifetime
{
    private string _kubeconfig = string.Empty;

    public TestDatabase Database { get; private set; } = null!;

    public TestVirtualHost VirtualHost { get; private set; } = null!;

    public FakeKubernetesServer Kubernetes { get; private set; } = null!;

    public PlatformHost Tenants { get; private set; } = null!;

    public PlatformHost Agent { get; private set; } = null!;

    public PlatformHost Ai { get; private set; } = null!;

    /// <summary>False to run the ai-workload service elsewhere (a child process); <see cref="AiClientFactory"/> then reaches it.</summary>
    protected virtual bool AiInProcess => true;

    public Func<string, HttpClient>? AiClientFactory { get; set; }

    /// <summary>Settings of the ai-workload service under test (tests override timeouts).</summary>
    protected virtual IDictionary<string, string?> AiSettings => new Dictionary<string, string?>();

    /// <summary>Runs before any service starts (a Prometheus to read from, say).</summary>
    protected virtual Task PrepareAsync() => Task.CompletedTask;

    protected virtual Task CleanUpAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        await PrepareAsync();
        Database = await TestDatabase.Create();
        VirtualHost = await TestVirtualHost.Create();
        Kubernetes = await FakeKubernetesServer.StartAsync();
        _kubeconfig = Path.Combine(Path.GetTempPath(), $"gocoffee-kubeconfig-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(_kubeconfig, Kubernetes.Kubeconfig());
        Agent = await StartAgent();
        Tenants = await PlatformHost.Start(
            Database,
            VirtualHost,
            builder => builder.AddTenantService(),
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapTenantApi();
            },
            new Dictionary<string, string?> { ["Tenants:StepTimeout"] = "00:00:30", ["Tenants:DefaultDeletionGracePeriod"] = "00:00:02" });
        if (AiInProcess)
        {
            Ai = await StartAi();
        }
    }

    public async Task DisposeAsync()
    {
        if (AiInProcess)
        {
            await Ai.DisposeAsync();
        }

        await Tenants.DisposeAsync();
        await Agent.DisposeAsync();
        await Kubernetes.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
        File.Delete(_kubeconfig);
        await CleanUpAsync();
    }

    /// <summary>Stops the ai-workload service without a graceful hand-over and starts it again.</summary>
    public async Task RestartAi(Func<Task>? whileStopped = null)
    {
        await Ai.DisposeAsync();
        if (whileStopped is not null)
        {
            await whileStopped();
        }

        Ai = await StartAi();
    }

    public Task<PlatformHost> StartAi() =>
        PlatformHost.Start(
            Database,
            VirtualHost,
            builder => builder.AddAiWorkloadService(),
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapAiWorkloadApi();
            },
            AiSettings);

    private Task<PlatformHost> StartAgent() =>
        PlatformHost.Start(
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
                ["ClusterAgent:AiWorkloads:WatchInterval"] = "00:00:00.100",
                ["ClusterAgent:CustomResources:RetryDelay"] = "00:00:00.100",
                ["ClusterAgent:CustomResources:MaxRetryDelay"] = "00:00:00.500",
            });

    /// <summary>A tenant with AI enabled (or not), its GPU quota and allowed models; waits until it is Active and the AI service knows it.</summary>
    public async Task CreateTenant(string id, string tier = "enterprise", bool ai = true, int gpuQuota = 4, IReadOnlyList<string>? models = null, IReadOnlyList<string>? gpuTypes = null)
    {
        var yaml = new StringBuilder()
            .AppendLine("apiVersion: tenant.gocoffee.dev/v1")
            .AppendLine("kind: Tenant")
            .AppendLine($"metadata: {{ name: {id} }}")
            .AppendLine("spec:")
            .AppendLine($"  tenantId: {id}")
            .AppendLine($"  tier: {tier}")
            .AppendLine("  owners: [\"alice@example.com\"]")
            .AppendLine("  resources: { namespaces: 1, cpu: \"16\", memory: \"32Gi\", storage: \"20Gi\" }")
            .AppendLine("  services:")
            .AppendLine("    ai:")
            .AppendLine($"      enabled: {(ai ? "true" : "false")}");
        if (ai)
        {
            yaml.AppendLine($"      models: [{string.Join(", ", models ?? ["coffee-recommendation"])}]").AppendLine($"      gpuQuota: {gpuQuota}");
            if (gpuTypes is not null)
            {
                yaml.AppendLine($"      gpuTypes: [{string.Join(", ", gpuTypes)}]");
            }
        }

        using var content = new StringContent(yaml.ToString(), Encoding.UTF8, "application/yaml");
        var response = await Tenants.Client.PostAsync("/api/tenants", content);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        await TestInfrastructure.Eventually(
            async () => (await Tenants.Client.GetFromJsonAsync<JsonElement>($"/api/tenants/{id}")).GetProperty("status").GetProperty("phase").GetString() == "Active" ? "ok" : null,
            TimeSpan.FromSeconds(30),
            $"tenant {id} is Active");
        if (AiInProcess)
        {
            await TenantKnown(id, t => t.AiEnabled == ai);
        }
    }

    /// <summary>Waits until the ai-workload service's picture of the tenant satisfies <paramref name="condition"/>.</summary>
    public Task<TenantAi> TenantKnown(string id, Func<TenantAi, bool> condition) =>
        TestInfrastructure.Eventually(
            async () =>
            {
                await using var session = Ai.Services.GetRequiredService<IDocumentStore>().QuerySession();
                var tenant = await session.LoadAsync<TenantAi>(id);
                return tenant is not null && condition(tenant) ? tenant : null;
            },
            TimeSpan.FromSeconds(30),
            $"the AI service knows tenant {id} as expected");

    public HttpClient AiClient(string tenantId) => AiClientFactory?.Invoke(tenantId) ?? Ai.ClientForTenant(tenantId);

    public async Task<HttpResponseMessage> RegisterModel(string tenantId, string name, string version, string framework = "onnx", string? source = null)
    {
        var body = JsonSerializer.Serialize(new { name, version, framework, source = source ?? $"gs://go-coffee-models/{name}-{version}" });
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await AiClient(tenantId).PostAsync("/api/ai/models", content);
    }

    public async Task<HttpResponseMessage> ApplyWorkload(string tenantId, string yaml)
    {
        using var content = new StringContent(yaml, Encoding.UTF8, "application/yaml");
        return await AiClient(tenantId).PostAsync("/api/ai/workloads", content);
    }

    public async Task<JsonElement> Workload(string tenantId, string name) =>
        await AiClient(tenantId).GetFromJsonAsync<JsonElement>($"/api/ai/workloads/{name}");

    public Task<JsonElement> WaitForPhase(string tenantId, string name, string phase, TimeSpan? timeout = null) =>
        TestInfrastructure.Eventually(
            async () =>
            {
                var workload = await Workload(tenantId, name);
                return workload.GetProperty("status").GetProperty("phase").GetString() == phase ? (JsonElement?)workload : null;
            },
            timeout ?? TimeSpan.FromSeconds(30),
            $"workload {name} of {tenantId} reaches {phase}").ContinueWith(t => t.Result!.Value, TaskScheduler.Default);

    /// <summary>Plays the Deployment controller and kubelet: the Deployment's replicas are all up to date and ready.</summary>
    public void MarkReady(string ns, string name) =>
        Kubernetes.Mutate("deployments", ns, name, deployment =>
        {
            var replicas = (int?)deployment["spec"]?["replicas"] ?? 1;
            deployment["status"] = new JsonObject
            {
                ["observedGeneration"] = deployment["metadata"]?["generation"]?.DeepClone() ?? 1,
                ["replicas"] = replicas,
                ["readyReplicas"] = replicas,
                ["updatedReplicas"] = replicas,
                ["availableReplicas"] = replicas,
            };
        });

    public async Task<JsonElement> Quota(string tenantId) => await Tenants.Client.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenantId}/quota");

    public static string Example(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", name));
}
