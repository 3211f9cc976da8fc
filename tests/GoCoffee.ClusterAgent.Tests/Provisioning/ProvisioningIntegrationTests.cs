using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.Objects;
using GoCoffee.ClusterAgent.Tests.Support;
using GoCoffee.ClusterAgent.Tests.Tenants;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Cluster;
using GoCoffee.FakeKubernetes;
using GoCoffee.ServiceDefaults;
using GoCoffee.Testing;

namespace GoCoffee.ClusterAgent.Tests.Provisioning;

/// <summary>
/// The whole path: a command over real RabbitMQ, the cluster-agent service as it is composed (inbox, Marten on real
/// PostgreSQL, outbox relay), the Kubernetes target reading a kubeconfig that points at the fake API server.
/// </summary>
public sealed class ProvisioningIntegrationTests : IAsyncLifetime
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(60);

    private readonly string _kubeconfig = Path.Combine(Path.GetTempPath(), $"gocoffee-kubeconfig-{Guid.NewGuid():N}.yaml");
    private TestDatabase _database = null!;
    private TestVirtualHost _virtualHost = null!;
    private FakeKubernetesServer _cluster = null!;
    private PlatformHost _agent = null!;
    private ClusterAgentAnswers _saga = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.Create();
        _virtualHost = await TestVirtualHost.Create();
        _cluster = await FakeKubernetesServer.StartAsync();
        await File.WriteAllTextAsync(_kubeconfig, _cluster.Kubeconfig());
        _agent = await PlatformHost.Start(
            _database,
            _virtualHost,
            builder => builder.AddClusterAgentService(),
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapClusterAgentApi();
            },
            new Dictionary<string, string?>
            {
                ["ClusterAgent:Target"] = "kubernetes",
                ["ClusterAgent:Kubeconfig"] = _kubeconfig,
                ["ClusterAgent:Kubernetes:RetryDelay"] = "00:00:00.020",
            });
        _saga = await ClusterAgentAnswers.Start(_virtualHost);
    }

    public async Task DisposeAsync()
    {
        await _saga.DisposeAsync();
        await _agent.DisposeAsync();
        await _cluster.DisposeAsync();
        await _virtualHost.DisposeAsync();
        await _database.DisposeAsync();
        File.Delete(_kubeconfig);
    }

    [Fact]
    public async Task Provisioning_the_enterprise_tenant_creates_every_object_and_reports_them()
    {
        var command = new ProvisionTenantNamespaces(Guid.NewGuid(), SeedTenants.Enterprise());

        await _saga.Send(command);
        var provisioned = Assert.IsType<TenantNamespacesProvisioned>(await _saga.For(command.CorrelationId, AnswerTimeout));

        Assert.Equal("ent-customer-1", provisioned.TenantId);
        Assert.Equal(5, provisioned.Namespaces.Count);
        Assert.Equal(50, provisioned.Objects.Count);
        Assert.All(provisioned.Objects, o =>
        {
            var stored = Stored(o);
            Assert.NotNull(stored);
            Assert.True(stored.IsManagedFor("ent-customer-1"), $"{o} carries the platform's labels");
        });
        Assert.Equal("4", (string?)Stored(new ClusterObjectRef("v1", "ResourceQuota", "ent-customer-1-2", "gocoffee-tenant-quota"))!["spec"]!["hard"]!["requests.cpu"]);
    }

    [Fact]
    public async Task A_refused_network_policy_in_the_third_namespace_removes_everything_the_run_created()
    {
        const string tenant = "ent-customer-2";
        const string message = "NetworkPolicy.networking.k8s.io \"gocoffee-allow-same-tenant\" is invalid: spec.ingress[0].from[0].namespaceSelector: Invalid value: \"gocoffee.dev/tenant\": admission webhook denied the selector";

        // The first namespace was there before this run (an earlier, partial attempt): it must survive the clean-up.
        var existing = ScratchManifests.TenantManifests(tenant, namespaces: 1)[0];
        _cluster.Seed(existing);

        using var refusal = _cluster.InjectFailure(request =>
            request.IsVerb("patch") && request.IsFor("networkpolicies") && request.Namespace == $"{tenant}-3" && request.Name == "gocoffee-allow-same-tenant"
                ? new FakeFailure(422, "Invalid", message)
                : null);
        var command = new ProvisionTenantNamespaces(Guid.NewGuid(), SeedTenants.Enterprise(tenant));

        await _saga.Send(command);
        var failed = Assert.IsType<TenantClusterStepFailed>(await _saga.For(command.CorrelationId, AnswerTimeout));

        Assert.Equal("provision", failed.Step);
        Assert.Equal(new ClusterObjectRef("networking.k8s.io/v1", "NetworkPolicy", $"{tenant}-3", "gocoffee-allow-same-tenant"), failed.FailedObject);
        Assert.Equal(422, failed.StatusCode);
        Assert.Equal(message, failed.Message);

        // Namespaces 1 and 2 complete (10 objects each) and, in the third, its Namespace, quota, limits and default deny.
        Assert.Equal(23, failed.RemovedObjects.Count);
        Assert.Equal(new ClusterObjectRef("networking.k8s.io/v1", "NetworkPolicy", $"{tenant}-3", "gocoffee-default-deny"), failed.RemovedObjects[0]);
        Assert.Equal(new ClusterObjectRef("v1", "ResourceQuota", $"{tenant}-1", "gocoffee-tenant-quota"), failed.RemovedObjects[^1]);
        Assert.DoesNotContain(existing.Reference(), failed.RemovedObjects);

        var left = _cluster.Objects("namespaces").Where(ns => ns.IsManagedFor(tenant)).Select(ns => ns.Reference().Name);
        Assert.Equal([$"{tenant}-1"], left);
        Assert.All(failed.RemovedObjects, removed => Assert.Null(Stored(removed)));
    }

    private JsonObject? Stored(ClusterObjectRef reference) => _cluster.Get(reference.Kind, reference.Namespace, reference.Name);
}
