using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.Tests.Support;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Cluster;
using GoCoffee.Contracts.Tenants;
using GoCoffee.FakeKubernetes;
using GoCoffee.ServiceDefaults;
using GoCoffee.Testing;

namespace GoCoffee.ClusterAgent.Tests.CustomResources;

/// <summary>
/// The cluster-agent as composed (Marten on real PostgreSQL, outbox, real RabbitMQ) watching Tenants on the fake API
/// server, with a stand-in for the tenant service collecting what it hands on. The CRD is installed only during the
/// test, so the agent starts without it, as in a cluster where the chart's CRDs come later.
/// </summary>
public sealed class TenantResourceWatchTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly string _kubeconfig = Path.Combine(Path.GetTempPath(), $"gocoffee-kubeconfig-{Guid.NewGuid():N}.yaml");
    private TestDatabase _database = null!;
    private TestVirtualHost _virtualHost = null!;
    private FakeKubernetesServer _cluster = null!;
    private PlatformHost _agent = null!;
    private ClusterAgentAnswers _tenantService = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.Create();
        _virtualHost = await TestVirtualHost.Create();
        _cluster = await FakeKubernetesServer.StartAsync();
        await File.WriteAllTextAsync(_kubeconfig, _cluster.Kubeconfig());
        _tenantService = await ClusterAgentAnswers.Start(_virtualHost);
        _agent = await PlatformHost.Start(
            _database,
            _virtualHost,
            builder => builder.AddClusterAgentService(),
            app => app.MapDefaultEndpoints(),
            new Dictionary<string, string?>
            {
                ["ClusterAgent:Target"] = "kubernetes",
                ["ClusterAgent:Kubeconfig"] = _kubeconfig,
                ["ClusterAgent:Kubernetes:RetryDelay"] = "00:00:00.020",
                ["ClusterAgent:CustomResources:RetryDelay"] = "00:00:00.100",
                ["ClusterAgent:CustomResources:MaxRetryDelay"] = "00:00:00.500",
            });
    }

    public async Task DisposeAsync()
    {
        await _agent.DisposeAsync();
        await _tenantService.DisposeAsync();
        await _cluster.DisposeAsync();
        await _virtualHost.DisposeAsync();
        await _database.DisposeAsync();
        File.Delete(_kubeconfig);
    }

    [Fact]
    public async Task Only_new_generations_are_handed_on_not_status_or_metadata_changes()
    {
        InstallCrd();
        _cluster.SeedYaml(TenantYaml("acme"));
        var first = await AppliedFor("acme", generation: 1);
        Assert.Equal("acme", first.Resource.Spec!.TenantId);
        Assert.Equal("4", first.Resource.Spec.Resources!.Cpu);

        _cluster.Mutate("tenants", null, "acme", r => r["status"] = new JsonObject { ["phase"] = "Active" });
        _cluster.Mutate("tenants", null, "acme", r => r["metadata"]!["labels"] = new JsonObject { ["team"] = "sales" });
        _cluster.Mutate("tenants", null, "acme", r => r["spec"]!["displayName"] = "Acme");
        var second = await AppliedFor("acme", generation: 2);

        Assert.Equal("Acme", second.Resource.Spec!.DisplayName);
        Assert.Equal(2, _tenantService.Applied.Count(a => a.Resource.Metadata!.Name == "acme"));
    }

    [Fact]
    public async Task A_resource_deleted_and_created_again_under_the_same_name_is_handed_on_again()
    {
        InstallCrd();
        _cluster.SeedYaml(TenantYaml("phoenix"));
        var before = await AppliedFor("phoenix", generation: 1);

        _cluster.Delete("tenants", null, "phoenix");
        _cluster.SeedYaml(TenantYaml("phoenix"));

        var again = await TestInfrastructure.Eventually(
            () => Task.FromResult(_tenantService.Applied.FirstOrDefault(a => a.Resource.Metadata!.Name == "phoenix" && a.Resource.Metadata.Uid != before.Resource.Metadata!.Uid)),
            Timeout,
            "the new phoenix is handed on");
        Assert.Equal(1, again.Resource.Metadata!.Generation);
    }

    [Fact]
    public async Task Status_is_written_in_the_order_of_the_tenant_services_view_and_a_late_older_one_is_dropped()
    {
        InstallCrd();
        _cluster.SeedYaml(TenantYaml("ordered"));
        await AppliedFor("ordered", generation: 1);
        var now = DateTimeOffset.UtcNow;

        await _tenantService.Send(new TenantStatusChanged("ordered", "ordered", Status("Active", now), now));
        await Eventually(() => Phase("ordered") == "Active", "the Active status is written");
        await _tenantService.Send(new TenantStatusChanged("ordered", "ordered", Status("Provisioning", now.AddSeconds(-1)), now.AddSeconds(-1)));
        await _tenantService.Send(new TenantStatusChanged("ghost", "ghost", Status("Active", now), now));
        await _tenantService.Send(new TenantStatusChanged("ordered", "ordered", Status("Suspended", now.AddSeconds(1)), now.AddSeconds(1)));

        await Eventually(() => Phase("ordered") == "Suspended", "the newest status is written");
        var status = _cluster.Get("tenants", null, "ordered")!["status"]!;
        Assert.Equal(1L, status["observedGeneration"]!.GetValue<long>());
        Assert.Equal(0, await _virtualHost.MessageCount("cluster-agent-tenant-status-changed_error"));
    }

    private void InstallCrd() =>
        _cluster.SeedYaml(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "crds", "tenants.tenant.gocoffee.dev.yaml")));

    private Task<TenantResourceApplied> AppliedFor(string name, long generation) =>
        TestInfrastructure.Eventually(
            () => Task.FromResult(_tenantService.Applied.FirstOrDefault(a => a.Resource.Metadata!.Name == name && a.Resource.Metadata.Generation == generation)),
            Timeout,
            $"Tenant {name} generation {generation} is handed on");

    private string? Phase(string name) => (string?)_cluster.Get("tenants", null, name)?["status"]?["phase"];

    private static Task Eventually(Func<bool> condition, string because) =>
        TestInfrastructure.Eventually(() => Task.FromResult(condition() ? (bool?)true : null), Timeout, because);

    private static TenantStatus Status(string phase, DateTimeOffset at) => new()
    {
        Phase = phase,
        Conditions = [new ResourceCondition("Ready", phase == "Active" ? "True" : "False", phase, phase, at)],
    };

    private static string TenantYaml(string name) => $"""
        apiVersion: tenant.gocoffee.dev/v1
        kind: Tenant
        metadata:
          name: {name}
        spec:
          tenantId: {name}
          tier: basic
          resources:
            namespaces: 1
            cpu: 4
            memory: 8Gi
            storage: 20Gi
        """;
}
