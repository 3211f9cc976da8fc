using System.Net.Http.Headers;
using System.Text;
using Npgsql;

namespace GoCoffee.Testing;

/// <summary>
/// Where the real PostgreSQL and RabbitMQ of the test run are (started by <c>scripts/test.sh</c> through
/// <c>scripts/infra.sh up</c>). Overridable with GOCOFFEE_TEST_PG, GOCOFFEE_TEST_RABBITMQ and GOCOFFEE_TEST_RABBITMQ_API.
/// </summary>
public static class TestInfrastructure
{
    public static string PostgresAdmin { get; } =
        Environment.GetEnvironmentVariable("GOCOFFEE_TEST_PG") ?? "Host=127.0.0.1;Port=5432;Database=gocoffee;Username=gocoffee;Password=gocoffee";

    public static Uri RabbitMq { get; } =
        new(Environment.GetEnvironmentVariable("GOCOFFEE_TEST_RABBITMQ") ?? "amqp://gocoffee:gocoffee@127.0.0.1:5672/");

    public static Uri RabbitMqApi { get; } =
        new(Environment.GetEnvironmentVariable("GOCOFFEE_TEST_RABBITMQ_API") ?? "http://gocoffee:gocoffee@127.0.0.1:15672/api/");

    public static string UniqueName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public static async Task<T> Eventually<T>(Func<Task<T?>> probe, TimeSpan timeout, string because)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var value = await probe();
                if (value is not null && !Equals(value, default(T)))
                {
                    return value;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or NpgsqlException or TaskCanceledException)
            {
                last = ex;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Timed out after {timeout}: {because}", last);
    }
}

/// <summary>A PostgreSQL database of its own for one test class, dropped afterwards.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<TestDatabase> Create()
    {
        var name = TestInfrastructure.UniqueName("gc_test");
        await using (var connection = new NpgsqlConnection(TestInfrastructure.PostgresAdmin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"create database \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(TestInfrastructure.PostgresAdmin) { Database = name };
        return new TestDatabase(name, builder.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(TestInfrastructure.PostgresAdmin);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand($"drop database if exists \"{Name}\" with (force)", connection);
                await command.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException ex) when (attempt < 5 && ex.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse)
            {
                // A backend of another role (autovacuum) still sits in the database; it leaves within moments.
                await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt));
            }
        }
    }
}

/// <summary>A RabbitMQ virtual host of its own for one test class (created through the management API), deleted afterwards.</summary>
public sealed class TestVirtualHost : IAsyncDisposable
{
    private readonly HttpClient _api;

    private TestVirtualHost(string name, HttpClient api)
    {
        Name = name;
        _api = api;
        var broker = TestInfrastructure.RabbitMq;
        ConnectionString = new UriBuilder(broker) { Path = "/" + Uri.EscapeDataString(name) }.Uri.ToString();
    }

    public string Name { get; }

    /// <summary>An amqp:// URI for this virtual host.</summary>
    public string ConnectionString { get; }

    public static async Task<TestVirtualHost> Create()
    {
        var api = CreateApiClient();
        var name = TestInfrastructure.UniqueName("gc-test");
        var user = Uri.UnescapeDataString(TestInfrastructure.RabbitMq.UserInfo.Split(':')[0]);

        // The broker may be restarting (a broker-outage test just ran): wait for it rather than fail the class.
        await TestInfrastructure.Eventually(
            async () => (await api.PutAsync($"vhosts/{name}", null)).IsSuccessStatusCode ? (bool?)true : null,
            TimeSpan.FromSeconds(90),
            $"RabbitMQ's management API creates virtual host {name}");
        using var permissions = new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json");
        (await api.PutAsync($"permissions/{name}/{user}", permissions)).EnsureSuccessStatusCode();
        return new TestVirtualHost(name, api);
    }

    /// <summary>How many messages sit in a queue of this virtual host (0 when the queue does not exist).</summary>
    public async Task<int> MessageCount(string queue)
    {
        using var response = await _api.GetAsync($"queues/{Name}/{queue}");
        if (!response.IsSuccessStatusCode)
        {
            return 0;
        }

        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.TryGetProperty("messages", out var messages) && messages.ValueKind == System.Text.Json.JsonValueKind.Number ? messages.GetInt32() : 0;
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DeleteAsync($"vhosts/{Name}");
        _api.Dispose();
    }

    private static HttpClient CreateApiClient()
    {
        var apiUri = TestInfrastructure.RabbitMqApi;
        var client = new HttpClient { BaseAddress = new UriBuilder(apiUri) { UserName = string.Empty, Password = string.Empty }.Uri };
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(apiUri.UserInfo)));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        return client;
    }
}
