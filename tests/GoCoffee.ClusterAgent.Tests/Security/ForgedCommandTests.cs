using System.Text;
using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.Objects;
using GoCoffee.ClusterAgent.Tests.Support;
using GoCoffee.ClusterAgent.Tests.Tenants;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Cluster;
using GoCoffee.FakeKubernetes;
using GoCoffee.ServiceDefaults;
using GoCoffee.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace GoCoffee.ClusterAgent.Tests.Security;

/// <summary>
/// Commands forged straight onto the broker, against the cluster-agent as it is composed (its own broker user, the
/// production permissions, real RabbitMQ and PostgreSQL) and the fake API server: whoever sends them, nothing changes.
/// </summary>
public sealed class ForgedCommandTests : IAsyncLifetime
{
    private const string ProvisionQueue = "cluster-agent-provision-tenant-namespaces";
    private const string DeleteQueue = "cluster-agent-delete-tenant-objects";
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(60);

    private readonly string _kubeconfig = Path.Combine(Path.GetTempPath(), $"gocoffee-kubeconfig-{Guid.NewGuid():N}.yaml");
    private TestDatabase _database = null!;
    private TestVirtualHost _virtualHost = null!;
    private FakeKubernetesServer _cluster = null!;
    private PlatformHost _agent = null!;
    private ClusterAgentAnswers _tenantService = null!;
    private string _forger = null!;
    private JsonObject _kubeSystem = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.Create();
        _virtualHost = await TestVirtualHost.Create();

        // A broker user that may publish any platform message: what a compromised or careless process would be.
        _forger = await _virtualHost.CreateUser("forger", new BrokerPermissions(@"^(forger-.*|GoCoffee\..*)$", @"^(forger-.*|GoCoffee\..*)$", "^forger-.*$"));
        _cluster = await FakeKubernetesServer.StartAsync();
        _kubeSystem = _cluster.Get("namespaces", null, "kube-system")!.DeepClone().AsObject();
        await File.WriteAllTextAsync(_kubeconfig, _cluster.Kubeconfig());
        _agent = await StartAgent();
        _tenantService = await ClusterAgentAnswers.Start(_virtualHost);
    }

    public async Task DisposeAsync()
    {
        await _tenantService.DisposeAsync();
        await _agent.DisposeAsync();
        await _cluster.DisposeAsync();
        await _virtualHost.DisposeAsync();
        await _database.DisposeAsync();
        File.Delete(_kubeconfig);
    }

    [Fact]
    public async Task A_forged_ProvisionTenantNamespaces_naming_kube_system_from_another_broker_user_changes_nothing()
    {
        var forged = new ProvisionTenantNamespaces(Guid.NewGuid(), KubeSystemTakeover());

        await BrokerPublisher.Publish(_forger, forged);

        var reason = await ErrorReason(ProvisionQueue, forged.CorrelationId);
        Assert.Contains("only the tenant service", reason, StringComparison.Ordinal);
        Assert.Contains($"published by broker user {_virtualHost.UserPrefix}forger", reason, StringComparison.Ordinal);
        AssertClusterUntouched();
    }

    [Fact]
    public async Task A_ProvisionTenantNamespaces_carrying_no_broker_validated_sender_changes_nothing()
    {
        var forged = new ProvisionTenantNamespaces(Guid.NewGuid(), KubeSystemTakeover());

        // The broker's administrator, and no user_id: a correct-looking message that no one vouches for.
        await BrokerPublisher.Publish(_virtualHost.ConnectionString, forged, stampSender: false);

        var reason = await ErrorReason(ProvisionQueue, forged.CorrelationId);
        Assert.Contains("carries no broker-validated user_id", reason, StringComparison.Ordinal);
        AssertClusterUntouched();
    }

    [Fact]
    public async Task Even_from_the_tenant_services_broker_user_a_plan_naming_kube_system_is_refused_before_anything_is_applied()
    {
        var command = new ProvisionTenantNamespaces(Guid.NewGuid(), KubeSystemTakeover());

        await _tenantService.Send(command);

        var refused = Assert.IsType<TenantClusterStepFailed>(await _tenantService.For(command.CorrelationId, AnswerTimeout));
        Assert.Equal(403, refused.StatusCode);
        Assert.Equal(new ClusterObjectRef("v1", "Namespace", null, "kube-system"), refused.FailedObject);
        Assert.Contains("refused by the cluster-agent", refused.Message, StringComparison.Ordinal);
        AssertClusterUntouched();
    }

    [Fact]
    public async Task A_DeleteTenantObjects_with_no_tenant_deletes_nothing_of_any_tenant()
    {
        var objects = ScratchManifests.TenantManifests("tenant-a", namespaces: 1).Concat(ScratchManifests.TenantManifests("tenant-b", namespaces: 1)).ToList();
        objects.ForEach(manifest => _cluster.Seed(manifest));
        _cluster.ClearRequests();
        var references = objects.Select(Manifest.Reference).ToList();

        // From the tenant service's own user, so the sender check passes: the agent's own invariant must hold.
        var command = new DeleteTenantObjects(Guid.NewGuid(), null!, references);
        await _tenantService.Send(command);
        var refused = Assert.IsType<TenantClusterStepFailed>(await _tenantService.For(command.CorrelationId, AnswerTimeout));

        Assert.Equal(403, refused.StatusCode);
        Assert.Contains("names no tenant", refused.Message, StringComparison.Ordinal);
        Assert.Empty(refused.RemovedObjects);

        // And forged by another user: refused before the consumer runs.
        var forged = new DeleteTenantObjects(Guid.NewGuid(), "tenant-a", references);
        await BrokerPublisher.Publish(_forger, forged);
        await ErrorReason(DeleteQueue, forged.CorrelationId);

        Assert.DoesNotContain(_cluster.Requests, request => request.IsVerb("delete"));
        Assert.All(references, reference => Assert.NotNull(_cluster.Get(reference.Kind, reference.Namespace, reference.Name)));
    }

    [Fact]
    public async Task The_gateways_broker_user_may_not_publish_cluster_commands_or_tenant_directory_events()
    {
        var factory = new ConnectionFactory { Uri = new Uri(_virtualHost.ConnectionStringFor("gateway")) };
        await using var connection = await factory.CreateConnectionAsync();
        foreach (var exchange in new[] { "GoCoffee.Contracts.Cluster:ProvisionTenantNamespaces", "GoCoffee.Contracts.Cluster:DeleteTenantObjects", "GoCoffee.Contracts.Tenants:ApiKeyIssued" })
        {
            await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
            var refused = await Assert.ThrowsAnyAsync<OperationInterruptedException>(async () =>
                await channel.BasicPublishAsync(exchange, string.Empty, mandatory: false, new BasicProperties(), Encoding.UTF8.GetBytes("{}")));
            Assert.Equal((ushort)403, refused.ShutdownReason?.ReplyCode);
            Assert.Contains("ACCESS_REFUSED", refused.ShutdownReason?.ReplyText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_service_with_the_wrong_broker_password_is_refused_by_the_broker_and_never_ready()
    {
        var wrong = new UriBuilder(_virtualHost.ConnectionStringFor("cluster-agent")) { Password = "not-the-password" }.Uri.ToString();

        await using var agent = await StartAgent(wrong);

        Assert.NotEqual(BusHealthStatus.Healthy, agent.Services.GetRequiredService<IBusControl>().CheckHealth().Status);
        using var ready = await agent.AnonymousClient().GetAsync("/health/ready");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var factory = new ConnectionFactory { Uri = new Uri(wrong) };
        await Assert.ThrowsAnyAsync<BrokerUnreachableException>(() => factory.CreateConnectionAsync());
    }

    /// <summary>The issue's forged message: a "tenant" whose namespace is kube-system, with a stranger as its owner.</summary>
    private static Contracts.Tenants.TenantPlan KubeSystemTakeover()
    {
        var plan = SeedTenants.Enterprise("stranger", namespaces: 1, owners: ["user:stranger@example.com"]);
        return plan with { Namespaces = [plan.Namespaces[0] with { Name = "kube-system" }] };
    }

    private void AssertClusterUntouched()
    {
        Assert.DoesNotContain(_cluster.Requests, request => request.IsVerb("patch") || request.IsVerb("create") || request.IsVerb("update") || request.IsVerb("delete"));
        var kubeSystem = _cluster.Get("namespaces", null, "kube-system")!;
        Assert.Equal(_kubeSystem.ToJsonString(), kubeSystem.ToJsonString());
        Assert.Empty(_cluster.Objects("roles", "kube-system"));
        Assert.Empty(_cluster.Objects("rolebindings", "kube-system"));
    }

    /// <summary>Waits for the message to reach the queue's <c>_error</c> queue and returns the reason MassTransit recorded.</summary>
    private async Task<string> ErrorReason(string queue, Guid correlationId)
    {
        var refused = await TestInfrastructure.Eventually(
            async () => (await _virtualHost.PeekMessages($"{queue}_error", 50))
                .FirstOrDefault(message => message.Payload.Contains(correlationId.ToString(), StringComparison.OrdinalIgnoreCase) && message.FaultMessage is { Length: > 0 }),
            AnswerTimeout,
            $"the forged message {correlationId} is refused to {queue}_error");
        return refused.FaultMessage!;
    }

    private Task<PlatformHost> StartAgent(string? broker = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ClusterAgent:Target"] = "kubernetes",
            ["ClusterAgent:Kubeconfig"] = _kubeconfig,
            ["ClusterAgent:Kubernetes:RetryDelay"] = "00:00:00.020",
        };
        if (broker is not null)
        {
            settings["ConnectionStrings:RabbitMq"] = broker;
        }

        return PlatformHost.Start(
            _database,
            _virtualHost,
            builder => builder.AddClusterAgentService(),
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapClusterAgentApi();
            },
            settings);
    }
}
