using GoCoffee.Testing;

namespace GoCoffee.ServiceDefaults.Tests;

/// <summary>Each test gets a PostgreSQL database and a RabbitMQ virtual host of its own.</summary>
public abstract class IsolatedTest : IAsyncLifetime
{
    protected TestDatabase Database { get; private set; } = null!;

    protected TestVirtualHost VirtualHost { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.Create();
        VirtualHost = await TestVirtualHost.Create();
    }

    public async Task DisposeAsync()
    {
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>A non-idempotent effect's count, or null while it is zero.</summary>
    protected static async Task<int?> Tally(ReliabilityHost host, string id)
    {
        await using var session = host.Store.QuerySession();
        var tally = await session.LoadAsync<Tally>(id);
        return tally is { Count: > 0 } ? tally.Count : null;
    }
}
