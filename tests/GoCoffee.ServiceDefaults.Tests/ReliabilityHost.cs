using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.Testing;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GoCoffee.ServiceDefaults.Tests;

/// <summary>
/// A real platform service process-in-a-host: ServiceDefaults' Marten store and MassTransit bus against the test's own
/// PostgreSQL database and RabbitMQ virtual host. Stopping it and starting another on the same database is a restart.
/// </summary>
public sealed class ReliabilityHost : IAsyncDisposable
{
    public static readonly ServiceIdentity Identity = new("reliability", "/api/reliability");

    private readonly WebApplication _app;

    private ReliabilityHost(WebApplication app) => _app = app;

    public IServiceProvider Services => _app.Services;

    public IDocumentStore Store => _app.Services.GetRequiredService<IDocumentStore>();

    public static async Task<ReliabilityHost> Start(
        TestDatabase database,
        TestVirtualHost virtualHost,
        bool relay = true,
        Action<IBusRegistrationConfigurator>? bus = null,
        Action<StoreOptions>? store = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
            ["ConnectionStrings:RabbitMq"] = virtualHost.ConnectionString,
            ["Messaging:Outbox:Enabled"] = relay.ToString(),
            ["Messaging:Outbox:PollInterval"] = "00:00:00.100",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        });
        builder.AddPlatformService(Identity, store, bus);
        var app = builder.Build();
        await app.StartAsync();
        await app.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(30));
        return new ReliabilityHost(app);
    }

    /// <summary>Runs <paramref name="work"/> in a scope and commits its session: state and outbox in one transaction.</summary>
    public async Task Commit(Action<IDocumentSession, IOutbox> work)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IDocumentSession>();
        work(session, scope.ServiceProvider.GetRequiredService<IOutbox>());
        await session.SaveChangesAsync();
    }

    public async Task<int> PendingOutboxMessages()
    {
        await using var session = Store.QuerySession();
        return await session.Query<OutboxMessage>().CountAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
