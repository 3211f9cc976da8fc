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

/// <summary>
/// A RabbitMQ virtual host of its own for one test class (created through the management API), deleted afterwards, with
/// the platform's broker users for it: <c>&lt;vhost&gt;.&lt;service&gt;</c> for every process in
/// <c>scripts/broker-permissions.tsv</c>, with exactly the permissions production grants (users are broker-wide,
/// so each test virtual host has its own). <see cref="ConnectionString"/> is the administrator's (tests' own probes).
/// </summary>
public sealed class TestVirtualHost : IAsyncDisposable
{
    private readonly HttpClient _api;
    private readonly Dictionary<string, string> _users = new(StringComparer.Ordinal);

    private TestVirtualHost(string name, HttpClient api)
    {
        Name = name;
        _api = api;
        var broker = TestInfrastructure.RabbitMq;
        ConnectionString = new UriBuilder(broker) { Path = "/" + Uri.EscapeDataString(name) }.Uri.ToString();
    }

    public string Name { get; }

    /// <summary>An amqp:// URI for this virtual host, as the broker's administrator.</summary>
    public string ConnectionString { get; }

    /// <summary>The prefix of this virtual host's broker users: services get it as <c>Messaging:BrokerUserPrefix</c>.</summary>
    public string UserPrefix => $"{Name}.";

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
        await SetPermissions(api, name, user, new BrokerPermissions(".*", ".*", ".*"));
        var virtualHost = new TestVirtualHost(name, api);
        foreach (var (service, permissions) in BrokerPermissions.Production)
        {
            await virtualHost.CreateUser(service, permissions);
        }

        return virtualHost;
    }

    /// <summary>The amqp:// URI with which <paramref name="service"/> logs in to this virtual host (its own broker user).</summary>
    public string ConnectionStringFor(string service) => ConnectionStringAs(UserPrefix + service);

    /// <summary>True when <paramref name="service"/> is a process of the platform with a broker user of its own.</summary>
    public bool HasUserFor(string service) => _users.ContainsKey(UserPrefix + service);

    /// <summary>
    /// Creates another broker user for this virtual host (<c>&lt;vhost&gt;.&lt;name&gt;</c>, removed with it), e.g. a
    /// forger with its own permissions; returns its amqp:// URI.
    /// </summary>
    public async Task<string> CreateUser(string name, BrokerPermissions permissions)
    {
        var user = UserPrefix + name;
        var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        using var body = new StringContent(System.Text.Json.JsonSerializer.Serialize(new { password, tags = string.Empty }), Encoding.UTF8, "application/json");
        (await _api.PutAsync($"users/{Uri.EscapeDataString(user)}", body)).EnsureSuccessStatusCode();
        _users[user] = password;
        await SetPermissions(_api, Name, user, permissions);
        return ConnectionStringAs(user);
    }

    private string ConnectionStringAs(string user)
    {
        if (!_users.TryGetValue(user, out var password))
        {
            throw new ArgumentException($"No broker user {user} in virtual host {Name}.", nameof(user));
        }

        var broker = TestInfrastructure.RabbitMq;
        return new UriBuilder(broker) { UserName = Uri.EscapeDataString(user), Password = password, Path = "/" + Uri.EscapeDataString(Name) }.Uri.ToString();
    }

    private static async Task SetPermissions(HttpClient api, string vhost, string user, BrokerPermissions permissions)
    {
        using var body = new StringContent(
            System.Text.Json.JsonSerializer.Serialize(new { configure = permissions.Configure, write = permissions.Write, read = permissions.Read }),
            Encoding.UTF8,
            "application/json");
        (await api.PutAsync($"permissions/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(user)}", body)).EnsureSuccessStatusCode();
    }

    /// <summary>How many messages sit in a queue of this virtual host (0 when the queue does not exist).</summary>
    /// <summary>
    /// Publishes plain JSON on <paramref name="exchange"/> of this virtual host through the management API, as an
    /// external system does (no MassTransit envelope). Returns whether a queue received it.
    /// </summary>
    public async Task<bool> PublishJson(string exchange, string json)
    {
        using var api = new HttpClient { BaseAddress = new UriBuilder(TestInfrastructure.RabbitMqApi) { UserName = string.Empty, Password = string.Empty }.Uri };
        api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Uri.UnescapeDataString(TestInfrastructure.RabbitMqApi.UserInfo))));
        var body = System.Text.Json.JsonSerializer.Serialize(new
        {
            properties = new { content_type = "application/json", delivery_mode = 2 },
            routing_key = string.Empty,
            payload = json,
            payload_encoding = "string",
        });
        using var response = await api.PostAsync($"exchanges/{Uri.EscapeDataString(Name)}/{exchange}/publish", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        using var answer = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return answer.RootElement.GetProperty("routed").GetBoolean();
    }

    /// <summary>Empties a queue of this virtual host (the queue stays).</summary>
    public async Task Purge(string queue) =>
        (await _api.DeleteAsync($"queues/{Name}/{queue}/contents")).EnsureSuccessStatusCode();

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

    /// <summary>The messages in a queue (left in it): headers (e.g. the reason MassTransit gives in <c>_error</c>) and body.</summary>
    public async Task<IReadOnlyList<PeekedMessage>> PeekMessages(string queue, int count = 10)
    {
        using var body = new StringContent(
            System.Text.Json.JsonSerializer.Serialize(new { count, ackmode = "ack_requeue_true", encoding = "auto", truncate = 50000 }),
            Encoding.UTF8,
            "application/json");
        using var response = await _api.PostAsync($"queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}/get", body);
        if (!response.IsSuccessStatusCode)
        {
            return [];
        }

        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.EnumerateArray()
            .Select(message => new PeekedMessage(
                message.GetProperty("properties").TryGetProperty("headers", out var headers) && headers.ValueKind == System.Text.Json.JsonValueKind.Object
                    ? headers.EnumerateObject().ToDictionary(header => header.Name, header => header.Value.ToString())
                    : new Dictionary<string, string>(),
                message.GetProperty("payload").GetString() ?? string.Empty))
            .ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DeleteAsync($"vhosts/{Name}");
        foreach (var user in _users.Keys)
        {
            await _api.DeleteAsync($"users/{Uri.EscapeDataString(user)}");
        }

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

/// <summary>A message read from a queue without taking it off.</summary>
public sealed record PeekedMessage(IReadOnlyDictionary<string, string> Headers, string Payload)
{
    /// <summary>Why MassTransit moved it to an <c>_error</c> queue (the exception's message).</summary>
    public string? FaultMessage => Headers.GetValueOrDefault("MT-Fault-Message");
}

/// <summary>A broker user's configure, write and read permissions in one virtual host (anchored regular expressions).</summary>
public sealed record BrokerPermissions(string Configure, string Write, string Read)
{
    public const string FileName = "broker-permissions.tsv";

    /// <summary>Every platform process's permissions as <c>scripts/broker-permissions.tsv</c> (copied beside the tests) grants them.</summary>
    public static IReadOnlyDictionary<string, BrokerPermissions> Production { get; } = Load(Path.Combine(AppContext.BaseDirectory, FileName));

    public static IReadOnlyDictionary<string, BrokerPermissions> Load(string path) =>
        File.ReadLines(path)
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('\t'))
            .ToDictionary(columns => columns[0], columns => new BrokerPermissions(columns[1], columns[2], columns[3]), StringComparer.Ordinal);
}
