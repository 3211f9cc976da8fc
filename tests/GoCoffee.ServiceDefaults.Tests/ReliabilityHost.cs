using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.Testing;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace GoCoffee.ServiceDefaults.Tests;

/// <summary>A platform service with only the reliable-messaging building blocks and the test's consumers and sagas.</summary>
public sealed class ReliabilityHost : IAsyncDisposable
{
    public static readonly ServiceIdentity Identity = new("reliability", "/api/reliability");

    private readonly PlatformHost _host;

    private ReliabilityHost(PlatformHost host, DeliveryCounter deliveries)
    {
        _host = host;
        Deliveries = deliveries;
    }

    /// <summary>Every delivery the host's endpoints finished with (handled, skipped by the inbox, or moved to <c>_error</c> after its retries), per queue.</summary>
    public DeliveryCounter Deliveries { get; }

    public IServiceProvider Services => _host.Services;

    public IDocumentStore Store => Services.GetRequiredService<IDocumentStore>();

    public static async Task<ReliabilityHost> Start(
        TestDatabase database,
        TestVirtualHost virtualHost,
        bool relay = true,
        Action<IBusRegistrationConfigurator>? bus = null,
        Action<StoreOptions>? store = null)
    {
        // Observed from before the bus starts, so not even the first delivery after a restart goes uncounted.
        var deliveries = new DeliveryCounter();
        return new(
            await PlatformHost.Start(
                database,
                virtualHost,
                builder =>
                {
                    builder.AddPlatformService(Identity, store, bus);
                    builder.Services.AddReceiveObserver(_ => deliveries);
                },
                app => app.MapDefaultEndpoints(),
                new Dictionary<string, string?> { ["Messaging:Outbox:Enabled"] = relay.ToString() }),
            deliveries);
    }

    /// <summary>Runs <paramref name="work"/> in a scope and commits its session: state and outbox in one transaction.</summary>
    public async Task Commit(Action<IDocumentSession, IOutbox> work)
    {
        await using var scope = Services.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IDocumentSession>();
        work(session, scope.ServiceProvider.GetRequiredService<IOutbox>());
        await session.SaveChangesAsync();
    }

    /// <summary>The host's <c>/metrics</c> (Prometheus text).</summary>
    public Task<string> Metrics() => _host.AnonymousClient().GetStringAsync("/metrics");

    public async Task<int> PendingOutboxMessages()
    {
        await using var session = Store.QuerySession();
        return await session.Query<OutboxMessage>().CountAsync();
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}

/// <summary>
/// Counts deliveries per queue once the endpoint is done with them (after retries, after a move to <c>_error</c>):
/// the signal that a known number of copies has been dealt with, instead of sleeping "long enough".
/// </summary>
public sealed class DeliveryCounter : IReceiveObserver
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _finished = new(StringComparer.Ordinal);

    public int Finished(string queue) => _finished.GetValueOrDefault(queue);

    /// <summary>Waits until <paramref name="count"/> deliveries from <paramref name="queue"/> have finished.</summary>
    public Task WaitFor(string queue, int count, TimeSpan? timeout = null) =>
        TestInfrastructure.Eventually(
            () => Task.FromResult(Finished(queue) >= count ? (bool?)true : null),
            timeout ?? TimeSpan.FromSeconds(60),
            $"{count} deliveries from {queue} finished (so far {Finished(queue)})");

    public Task PreReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostReceive(ReceiveContext context) => Count(context);

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType)
        where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception)
        where T : class => Task.CompletedTask;

    public Task ReceiveFault(ReceiveContext context, Exception exception) => Count(context);

    private Task Count(ReceiveContext context)
    {
        _finished.AddOrUpdate(context.InputAddress.AbsolutePath.Trim('/').Split('/')[^1], 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }
}
