using GoCoffee.ServiceDefaults.Messaging;
using MassTransit;

namespace GoCoffee.Testing;

/// <summary>
/// Publishes messages straight onto the broker, as whoever a connection string logs in as: how tests forge messages
/// (another broker user, or no <c>user_id</c> at all) and stand in for a platform service.
/// </summary>
public static class BrokerPublisher
{
    /// <param name="connectionString">The amqp:// URI to log in with.</param>
    /// <param name="stampSender">True to carry the login as the message's <c>user_id</c>, as platform processes do; false to carry none.</param>
    public static async Task Publish<T>(string connectionString, T message, bool stampSender = true)
        where T : class
    {
        var broker = new Uri(connectionString);
        var credentials = Uri.UnescapeDataString(broker.UserInfo).Split(':', 2);
        var name = credentials[0][(credentials[0].LastIndexOf('.') + 1)..];
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(broker, host =>
            {
                host.Username(credentials[0]);
                host.Password(credentials[1]);
            });
            rabbit.OverrideDefaultBusEndpointQueueName($"{name}-bus-{Guid.NewGuid():N}");
            if (stampSender)
            {
                rabbit.StampSender(credentials[0]);
            }
        });
        // A publish the broker refuses (no write permission) is retried by MassTransit until cancelled: fail, not hang.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await bus.StartAsync(timeout.Token);
        try
        {
            await bus.Publish(message, timeout.Token);
        }
        finally
        {
            await bus.StopAsync();
        }
    }
}
