using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace GoCoffee.ServiceDefaults.Messaging;

/// <summary>
/// The broker users of the platform's processes: <c>&lt;prefix&gt;&lt;service&gt;</c>, e.g. <c>gocoffee-tenant</c>
/// (<c>Messaging:BrokerUserPrefix</c>, default <c>gocoffee-</c>; tests give each virtual host users of its own).
/// <c>scripts/infra.sh</c> creates them with the permissions in <c>scripts/broker-permissions.tsv</c>.
/// </summary>
public sealed class BrokerUsers(string prefix)
{
    public const string PrefixKey = "Messaging:BrokerUserPrefix";

    public const string DefaultPrefix = "gocoffee-";

    public string Prefix { get; } = prefix;

    /// <summary>The broker user that <paramref name="service"/> connects as.</summary>
    public string For(string service) => Prefix + service;

    public static BrokerUsers From(IConfiguration configuration) =>
        new(configuration[PrefixKey] is { Length: > 0 } prefix ? prefix : DefaultPrefix);
}

/// <summary>
/// Stamps every message this process sends or publishes with the broker login of its connection (the AMQP
/// <c>user_id</c> property). RabbitMQ refuses a <c>user_id</c> that is not the connection's login, so a consumer can
/// trust it (<see cref="TrustedSenderFilter{T}"/>).
/// </summary>
public static class SenderStamp
{
    public static void StampSender(this IRabbitMqBusFactoryConfigurator rabbit, string user)
    {
        rabbit.ConfigureSend(send => send.UseExecute(context => Stamp(context, user)));
        rabbit.ConfigurePublish(publish => publish.UseExecute(context => Stamp(context, user)));
    }

    private static void Stamp(SendContext context, string user)
    {
        if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit))
        {
            rabbit.BasicProperties.UserId = user;
        }
    }

    /// <summary>The broker-validated login that published the message being consumed; null when it carries none.</summary>
    public static string? SenderOf(ConsumeContext context) =>
        context.ReceiveContext.TryGetPayload<RabbitMqBasicConsumeContext>(out var rabbit) && rabbit.Properties.IsUserIdPresent()
            ? rabbit.Properties.UserId
            : null;
}

/// <summary>A message that only one service may send came from someone else (or from no broker-vouched sender).</summary>
public sealed class UntrustedSenderException(string message) : Exception(message);

/// <summary>
/// Refuses a message listed in <see cref="TrustedSenders"/> unless the broker vouches that its owning service sent it:
/// the consumer does not run, the refusal is logged and counted (<c>gocoffee.messages.refused</c>), and the message
/// goes to the endpoint's <c>_error</c> queue (no retries) with the reason (MassTransit discards it instead on a
/// temporary endpoint, such as the gateway's per-instance queue).
/// </summary>
public sealed class TrustedSenderFilter<T>(BrokerUsers users, ILogger<TrustedSenderFilter<T>> logger) : IFilter<ConsumeContext<T>>
    where T : class
{
    public const string RefusedCounter = "gocoffee.messages.refused";

    private static readonly System.Diagnostics.Metrics.Counter<long> Refused =
        Telemetry.Meter.CreateCounter<long>(RefusedCounter, description: "Messages refused because the broker does not vouch that their owning service sent them");

    public Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        if (TrustedSenders.OwnerOf(typeof(T)) is not { } owner)
        {
            return next.Send(context);
        }

        var expected = users.For(owner);
        var sender = SenderStamp.SenderOf(context);
        if (string.Equals(sender, expected, StringComparison.Ordinal))
        {
            return next.Send(context);
        }

        var reason = sender is null
            ? $"{typeof(T).Name} refused: only the {owner} service (broker user {expected}) may send it, and this message carries no broker-validated user_id"
            : $"{typeof(T).Name} refused: only the {owner} service (broker user {expected}) may send it, and this message was published by broker user {sender}";
        logger.LogWarning("Message {MessageId} on {Endpoint}: {Reason}", context.MessageId, context.ReceiveContext.InputAddress.AbsolutePath, reason);
        Refused.Add(1, new KeyValuePair<string, object?>("message_type", typeof(T).Name), new KeyValuePair<string, object?>("sender", sender ?? "none"));
        throw new UntrustedSenderException(reason);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("trusted-sender");
}
