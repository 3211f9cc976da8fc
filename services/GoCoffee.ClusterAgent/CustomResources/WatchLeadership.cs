using Npgsql;

namespace GoCoffee.ClusterAgent.CustomResources;

/// <summary>
/// One watcher per kind across the agent's replicas: a PostgreSQL advisory lock held on a dedicated connection for as
/// long as the watch runs (PostgreSQL releases it when the process or connection dies). Two watchers would not lose
/// anything, but they would hand every change on twice and fight over the cursor.
/// </summary>
internal sealed class WatchLeadership : IAsyncDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);

    private readonly NpgsqlConnection _connection;

    private WatchLeadership(NpgsqlConnection connection) => _connection = connection;

    public static async Task<WatchLeadership> AcquireAsync(NpgsqlDataSource dataSource, string lockName, Action waiting, CancellationToken cancellationToken)
    {
        var announced = false;
        while (true)
        {
            var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            try
            {
                await using var command = connection.CreateCommand();
                command.CommandText = "select pg_try_advisory_lock(hashtext($1))";
                command.Parameters.AddWithValue(lockName);
                if ((bool)(await command.ExecuteScalarAsync(cancellationToken))!)
                {
                    return new WatchLeadership(connection);
                }
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }

            await connection.DisposeAsync();
            if (!announced)
            {
                waiting();
                announced = true;
            }

            await Task.Delay(Poll, cancellationToken);
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
