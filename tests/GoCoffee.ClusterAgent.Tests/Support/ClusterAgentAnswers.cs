using System.Collections.Concurrent;
using GoCoffee.Contracts.Cluster;
using GoCoffee.Testing;
using GoCoffee.ServiceDefaults.Messaging;
using MassTransit;

namespace GoCoffee.ClusterAgent.Tests.Support;

/// <summary>
/// Stands where the tenant saga stands: a bus of its own on the test's virtual host that sends the cluster-agent
/// commands and collects every answer the agent publishes through its outbox.
/// </summary>
public sealed class ClusterAgentAnswers : IAsyncDisposable
{
    private readonly IBusControl _bus;
    private readonly ConcurrentQueue<object> _answers;

    private ClusterAgentAnswers(IBusControl bus, ConcurrentQueue<object> answers)
    {
        _bus = bus;
        _answers = answers;
    }

    /// <param name="virtualHost">The test's virtual host: the stand-in logs in as its tenant service's broker user.</param>
    public static async Task<ClusterAgentAnswers> Start(TestVirtualHost virtualHost)
    {
        var answers = new ConcurrentQueue<object>();
        var broker = new Uri(virtualHost.ConnectionStringFor("tenant"));
        var credentials = Uri.UnescapeDataString(broker.UserInfo).Split(':', 2);
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(broker, host =>
            {
                host.Username(credentials[0]);
                host.Password(credentials[1]);
            });

            // As the tenant service does: its own queue names (its permissions cover "tenant-*"), its login on every message.
            rabbit.OverrideDefaultBusEndpointQueueName($"tenant-stand-in-bus-{Guid.NewGuid():N}");
            rabbit.StampSender(credentials[0]);
            rabbit.ReceiveEndpoint("tenant-saga-stand-in", endpoint =>
            {
                endpoint.Handler<TenantNamespacesProvisioned>(Collect);
                endpoint.Handler<TenantClusterStepFailed>(Collect);
                endpoint.Handler<TenantWorkloadsScaled>(Collect);
                endpoint.Handler<TenantDeletionPlanned>(Collect);
                endpoint.Handler<TenantObjectsDeleted>(Collect);
                endpoint.Handler<TenantResourceApplied>(Collect);
            });
        });
        await bus.StartAsync();
        return new ClusterAgentAnswers(bus, answers);

        Task Collect<T>(ConsumeContext<T> context) where T : class
        {
            answers.Enqueue(context.Message);
            return Task.CompletedTask;
        }
    }

    public Task Send<T>(T command) where T : class => _bus.Publish(command);

    /// <summary>Every Tenant custom resource the agent handed on, in the order it arrived.</summary>
    public IReadOnlyList<TenantResourceApplied> Applied => [.. _answers.OfType<TenantResourceApplied>()];

    /// <summary>The first answer, of whatever type, to the command with <paramref name="correlationId"/>.</summary>
    public Task<object> For(Guid correlationId, TimeSpan timeout) =>
        TestInfrastructure.Eventually(
            () => Task.FromResult(_answers.FirstOrDefault(answer => CorrelationOf(answer) == correlationId)),
            timeout,
            $"the cluster-agent answers command {correlationId}");

    public async ValueTask DisposeAsync() => await _bus.StopAsync();

    private static Guid? CorrelationOf(object answer) => answer switch
    {
        TenantNamespacesProvisioned a => a.CorrelationId,
        TenantClusterStepFailed a => a.CorrelationId,
        TenantWorkloadsScaled a => a.CorrelationId,
        TenantDeletionPlanned a => a.CorrelationId,
        TenantObjectsDeleted a => a.CorrelationId,
        _ => null,
    };
}
