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

    private ReliabilityHost(PlatformHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public IDocumentStore Store => Services.GetRequiredService<IDocumentStore>();

    public static async Task<ReliabilityHost> Start(
        TestDatabase database,
        TestVirtualHost virtualHost,
        bool relay = true,
        Action<IBusRegistrationConfigurator>? bus = null,
        Action<StoreOptions>? store = null) =>
        new(await PlatformHost.Start(
            database,
            virtualHost,
            builder => builder.AddPlatformService(Identity, store, bus),
            app => app.MapDefaultEndpoints(),
            new Dictionary<string, string?> { ["Messaging:Outbox:Enabled"] = relay.ToString() }));

    /// <summary>Runs <paramref name="work"/> in a scope and commits its session: state and outbox in one transaction.</summary>
    public async Task Commit(Action<IDocumentSession, IOutbox> work)
    {
        await using var scope = Services.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IDocumentSession>();
        work(session, scope.ServiceProvider.GetRequiredService<IOutbox>());
        await session.SaveChangesAsync();
    }

    public async Task<int> PendingOutboxMessages()
    {
        await using var session = Store.QuerySession();
        return await session.Query<OutboxMessage>().CountAsync();
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
