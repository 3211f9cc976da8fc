using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GoCoffee.ClusterAgent;
using GoCoffee.FakeKubernetes;
using GoCoffee.ServiceDefaults;
using GoCoffee.Testing;

namespace GoCoffee.Tenant.Tests;

/// <summary>
/// The tenant service and the cluster-agent for real, talking over RabbitMQ, with PostgreSQL behind both, and the
/// cluster-agent aimed at either the fake Kubernetes API server or a manifests folder.
/// </summary>
public abstract class PlatformUnderTest : IAsyncLifetime
{
    private readonly bool _kubernetes;
    private TestVirtualHost _virtualHost = null!;
    private string _kubeconfig = string.Empty;

    protected PlatformUnderTest(bool kubernetes) => _kubernetes = kubernetes;

    public TestDatabase Database { get; private set; } = null!;

    public FakeKubernetesServer Kubernetes { get; private set; } = null!;

    public string ManifestsPath { get; } = Path.Combine(Path.GetTempPath(), $"gocoffee-manifests-{Guid.NewGuid():N}");

    public PlatformHost Tenants { get; private set; } = null!;

    public PlatformHost Agent { get; private set; } = null!;

    public HttpClient Client => Tenants.Client;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.Create();
        _virtualHost = await TestVirtualHost.Create();
        Kubernetes = await FakeKubernetesServer.StartAsync();
        await PrepareCluster(Kubernetes);
        _kubeconfig = Path.Combine(Path.GetTempPath(), $"gocoffee-kubeconfig-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(_kubeconfig, Kubernetes.Kubeconfig());
        Agent = await StartAgent();
        Tenants = await StartTenants();
    }

    public async Task DisposeAsync()
    {
        await Tenants.DisposeAsync();
        await Agent.DisposeAsync();
        await Kubernetes.DisposeAsync();
        await _virtualHost.DisposeAsync();
        await Database.DisposeAsync();
        File.Delete(_kubeconfig);
        if (Directory.Exists(ManifestsPath))
        {
            Directory.Delete(ManifestsPath, recursive: true);
        }
    }

    /// <summary>Stops the tenant service as a crash would leave it (no graceful hand-over) and starts it again.</summary>
    public async Task RestartTenants()
    {
        await Tenants.DisposeAsync();
        Tenants = await StartTenants();
    }

    /// <summary>Stops the cluster-agent and starts it again, running <paramref name="whileStopped"/> in between.</summary>
    public async Task RestartAgent(Action? whileStopped = null)
    {
        await Agent.DisposeAsync();
        whileStopped?.Invoke();
        Agent = await StartAgent();
    }

    /// <summary>Runs once the fake API server is up and before any service starts (installing CRDs, say).</summary>
    protected virtual Task PrepareCluster(FakeKubernetesServer kubernetes) => Task.CompletedTask;

    public Task<PlatformHost> StartTenants() =>
        PlatformHost.Start(
            Database,
            _virtualHost,
            builder => builder.AddTenantService(),
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapTenantApi();
            },
            new Dictionary<string, string?> { ["Tenants:StepTimeout"] = "00:00:30", ["Tenants:DefaultDeletionGracePeriod"] = "00:00:02" });

    private Task<PlatformHost> StartAgent() =>
        PlatformHost.Start(
            Database,
            _virtualHost,
            builder => builder.AddClusterAgentService(),
            app => app.MapDefaultEndpoints(),
            new Dictionary<string, string?>
            {
                ["ClusterAgent:Target"] = _kubernetes ? "kubernetes" : "manifests",
                ["ClusterAgent:Kubeconfig"] = _kubeconfig,
                ["ClusterAgent:ManifestsPath"] = ManifestsPath,
                ["ClusterAgent:Kubernetes:RetryAttempts"] = "3",
                ["ClusterAgent:Kubernetes:RetryDelay"] = "00:00:00.050",
            });

    public async Task<HttpResponseMessage> PostYaml(string yaml)
    {
        using var content = new StringContent(yaml, Encoding.UTF8, "application/yaml");
        return await Client.PostAsync("/api/tenants", content);
    }

    public async Task<JsonElement> Tenant(string id) => await Client.GetFromJsonAsync<JsonElement>($"/api/tenants/{id}");

    public Task<JsonElement> WaitForPhase(string id, string phase, TimeSpan? timeout = null) =>
        TestInfrastructure.Eventually(
            async () =>
            {
                var tenant = await Tenant(id);
                return tenant.GetProperty("status").GetProperty("phase").GetString() == phase ? (JsonElement?)tenant : null;
            },
            timeout ?? TimeSpan.FromSeconds(30),
            $"tenant {id} reaches {phase}").ContinueWith(t => t.Result!.Value, TaskScheduler.Default);
}

public sealed class PlatformWithFakeKubernetes() : PlatformUnderTest(kubernetes: true);

public sealed class PlatformWithManifestsFolder() : PlatformUnderTest(kubernetes: false);
