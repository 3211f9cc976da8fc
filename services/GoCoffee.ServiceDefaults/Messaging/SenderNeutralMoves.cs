using MassTransit;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Transports;
using RabbitMQ.Client;

namespace GoCoffee.ServiceDefaults.Messaging;

/// <summary>
/// MassTransit moves a failed message to <c>_error</c> (and an unconsumed one to <c>_skipped</c>) with the properties
/// it arrived with, <c>user_id</c> included; RabbitMQ would refuse that publish from this process's login and close the
/// channel, so the message would circle forever. These moves drop <c>user_id</c> (the original sender stays in the
/// reason headers of a refusal); everything else is MassTransit's own move. No <c>Fault&lt;T&gt;</c> events are
/// published either: nothing in the platform consumes them, the <c>_error</c> queue holds the message and the reason,
/// and no broker user needs permissions on MassTransit's fault exchanges.
/// </summary>
public static class SenderNeutralMoves
{
    public static void UseSenderNeutralMoves(this IReceiveEndpointConfigurator endpoint)
    {
        endpoint.PublishFaults = false;
        endpoint.ConfigureError(error =>
        {
            error.UseFilter(new GenerateFaultFilter());
            error.UseFilter(new ErrorMove());
        });
        endpoint.ConfigureDeadLetter(deadLetter => deadLetter.UseFilter(new DeadLetterMove()));
    }

    private sealed class ErrorMove : IFilter<ExceptionReceiveContext>
    {
        public async Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
        {
            if (!context.TryGetPayload(out IErrorTransport? transport))
            {
                throw new TransportException(context.InputAddress, $"The {nameof(IErrorTransport)} was not available on the {nameof(ReceiveContext)}.");
            }

            await transport.Send(new WithoutSenderException(context));
            await next.Send(context);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("moveFault-without-user-id");
    }

    private sealed class DeadLetterMove : IFilter<ReceiveContext>
    {
        public async Task Send(ReceiveContext context, IPipe<ReceiveContext> next)
        {
            if (!context.TryGetPayload(out IDeadLetterTransport? transport))
            {
                throw new TransportException(context.InputAddress, $"The {nameof(IDeadLetterTransport)} was not available on the {nameof(ReceiveContext)}.");
            }

            await transport.Send(new WithoutSender(context), "dead-letter");
            await next.Send(context);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("dead-letter-without-user-id");
    }

    private class WithoutSender(ReceiveContext received) : ReceiveContextProxy(received)
    {
        private readonly ReceiveContext _received = received;

        public override bool TryGetPayload<TPayload>(out TPayload payload)
            where TPayload : class
        {
            if (typeof(TPayload) == typeof(RabbitMqBasicConsumeContext) && _received.TryGetPayload(out RabbitMqBasicConsumeContext? basic))
            {
                payload = (TPayload)(object)new BasicConsumeWithoutUserId(basic);
                return true;
            }

            return base.TryGetPayload(out payload);
        }
    }

    private sealed class WithoutSenderException(ExceptionReceiveContext failed) : WithoutSender(failed), ExceptionReceiveContext
    {
        private readonly ExceptionReceiveContext _failed = failed;

        public Exception Exception => _failed.Exception;

        public DateTime ExceptionTimestamp => _failed.ExceptionTimestamp;

        public ExceptionInfo ExceptionInfo => _failed.ExceptionInfo;

        public SendHeaders ExceptionHeaders => _failed.ExceptionHeaders;
    }

    private sealed class BasicConsumeWithoutUserId(RabbitMqBasicConsumeContext received) : RabbitMqBasicConsumeContext
    {
        public string Exchange => received.Exchange;

        public string ConsumerTag => received.ConsumerTag;

        public ulong DeliveryTag => received.DeliveryTag;

        public IReadOnlyBasicProperties Properties { get; } = new BasicProperties(received.Properties) { UserId = null };

        public string? RoutingKey => received.RoutingKey;
    }
}
