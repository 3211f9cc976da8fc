using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace GoCoffee.Testing;

/// <summary>
/// What sits in a virtual host's queues right now. Queue names come from the management API; counts come from the
/// queue itself over AMQP (a passive declare), because the management API's statistics lag by up to its collection
/// interval (5 s by default) and could show an empty queue that is not.
/// </summary>
public static class BrokerQueues
{
    /// <summary>The queues of the virtual host whose names <paramref name="select"/> picks, with the messages ready in each now.</summary>
    public static async Task<IReadOnlyDictionary<string, uint>> ReadyMessages(string virtualHost, Func<string, bool> select)
    {
        var counts = new Dictionary<string, uint>(StringComparer.Ordinal);
        foreach (var name in (await QueueNames(virtualHost)).Where(select))
        {
            counts[name] = await ReadyMessages(virtualHost, name) ?? 0;
        }

        return counts;
    }

    /// <summary>Messages ready in <paramref name="queue"/> now, or null when it does not exist. (Not for another connection's exclusive queue.)</summary>
    public static async Task<uint?> ReadyMessages(string virtualHost, string queue)
    {
        var broker = TestInfrastructure.RabbitMq;
        var credentials = Uri.UnescapeDataString(broker.UserInfo).Split(':', 2);
        var factory = new ConnectionFactory
        {
            HostName = broker.Host,
            Port = broker.IsDefaultPort ? 5672 : broker.Port,
            UserName = credentials[0],
            Password = credentials.Length > 1 ? credentials[1] : string.Empty,
            VirtualHost = virtualHost,
        };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            var declared = await channel.QueueDeclarePassiveAsync(queue);
            return declared.MessageCount;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    /// <summary>The <c>_error</c> queues (MassTransit's dead letters) that hold messages now, with their counts.</summary>
    public static async Task<IReadOnlyDictionary<string, uint>> NonEmptyErrorQueues(string virtualHost) =>
        (await ReadyMessages(virtualHost, name => name.EndsWith("_error", StringComparison.Ordinal)))
            .Where(queue => queue.Value > 0)
            .ToDictionary(queue => queue.Key, queue => queue.Value);

    private static async Task<IReadOnlyList<string>> QueueNames(string virtualHost)
    {
        var api = TestInfrastructure.RabbitMqApi;
        using var client = new HttpClient { BaseAddress = new UriBuilder(api) { UserName = string.Empty, Password = string.Empty }.Uri };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(api.UserInfo))));
        using var document = JsonDocument.Parse(await client.GetStringAsync($"queues/{Uri.EscapeDataString(virtualHost)}?columns=name"));
        return [.. document.RootElement.EnumerateArray().Select(queue => queue.GetProperty("name").GetString()!)];
    }
}
