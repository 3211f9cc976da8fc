using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using GoCoffee.Testing;
using Npgsql;

namespace GoCoffee.Bench.Tenants;

public static class Versions
{
    public static async Task<IReadOnlyDictionary<string, string>> Read(CancellationToken cancellationToken)
    {
        var versions = new Dictionary<string, string>
        {
            ["MassTransit"] = Of(typeof(MassTransit.IBus)),
            ["Marten"] = Of(typeof(Marten.IDocumentStore)),
            ["Npgsql"] = Of(typeof(NpgsqlConnection)),
            ["KubernetesClient"] = Of(typeof(k8s.Kubernetes)),
        };

        try
        {
            await using var connection = new NpgsqlConnection(TestInfrastructure.PostgresAdmin);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("show server_version", connection);
            versions["PostgreSQL"] = (string)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (NpgsqlException ex)
        {
            versions["PostgreSQL"] = $"unknown ({ex.Message})";
        }

        try
        {
            using var client = ManagementClient();
            var overview = await client.GetFromJsonAsync<JsonElement>("overview", cancellationToken);
            versions["RabbitMQ"] = $"{overview.GetProperty("rabbitmq_version").GetString()} (Erlang {overview.GetProperty("erlang_version").GetString()})";
        }
        catch (HttpRequestException ex)
        {
            versions["RabbitMQ"] = $"unknown ({ex.Message})";
        }

        return versions;
    }

    /// <summary>How long the broker node has been up (management API), so a phase during which it restarted is noticed; null when unknown.</summary>
    public static async Task<TimeSpan?> BrokerUptime(CancellationToken cancellationToken)
    {
        try
        {
            using var client = ManagementClient();
            var nodes = await client.GetFromJsonAsync<JsonElement>("nodes", cancellationToken);
            return nodes.EnumerateArray().Select(n => n.TryGetProperty("uptime", out var uptime) && uptime.ValueKind == JsonValueKind.Number ? TimeSpan.FromMilliseconds(uptime.GetInt64()) : (TimeSpan?)null).FirstOrDefault();
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static HttpClient ManagementClient()
    {
        var api = TestInfrastructure.RabbitMqApi;
        var client = new HttpClient { BaseAddress = new UriBuilder(api) { UserName = string.Empty, Password = string.Empty }.Uri };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(api.UserInfo))));
        return client;
    }

    private static string Of(Type type)
    {
        var version = type.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? type.Assembly.GetName().Version?.ToString() ?? "?";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus > 0 ? version[..plus] : version;
    }
}
