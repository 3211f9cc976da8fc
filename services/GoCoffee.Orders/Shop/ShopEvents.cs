using System.Text.Json;
using GoCoffee.Orders.Ordering;
using GoCoffee.ServiceDefaults.Messaging;
using Json.Schema;
using Marten;
using MassTransit;

namespace GoCoffee.Orders.Shop;

/// <summary>A shop's event, as its system publishes it (plain JSON, see <c>shop-event.schema.json</c>).</summary>
public sealed record ShopEvent(Guid OrderId, string TenantId, string Event, string ShopId, DateTimeOffset At);

/// <summary>
/// What the consumer takes off the queue: nothing is bound from the body by the serializer, so every body, whatever its
/// shape, reaches <see cref="ShopEventConsumer"/>, which validates the raw JSON against the schema and gives the reason.
/// </summary>
public sealed class ShopEventEnvelope;

/// <summary>A shop event that cannot be applied: moved to <c>orders-shop-events_error</c> with this reason, never retried.</summary>
public sealed class ShopEventRejectedException(string reason) : ArgumentException(reason);

/// <summary>The published schema, which is also what every shop event is validated against.</summary>
public static class ShopEventSchema
{
    public const string Exchange = "orders-shop-events";
    public const string Path = "/api/orders/schemas/shop-event.json";

    private static readonly JsonEventSchema Events = JsonEventSchema.Embedded<ShopEvent>("GoCoffee.Orders.Shop.shop-event.schema.json");

    public static string Text => Events.Text;

    public static JsonSchema Schema => Events.Schema;

    /// <summary>Null when <paramref name="body"/> is a valid shop event; else every violation with where it is.</summary>
    public static string? Violations(ReadOnlySpan<byte> body) => Events.Violations(body);
}

/// <summary>
/// Takes shop events off <c>orders-shop-events</c>: validates each against the schema, checks the order exists for that
/// tenant and is in the state the step needs, and hands the step to the order saga. Anything else is rejected with the
/// reason (the <c>_error</c> queue keeps the event and the reason); nothing changes.
/// </summary>
public sealed class ShopEventConsumer(IDocumentSession session, IOutbox outbox) : IConsumer<ShopEventEnvelope>
{
    public async Task Consume(ConsumeContext<ShopEventEnvelope> context)
    {
        var body = context.ReceiveContext.Body.GetBytes();
        if (ShopEventSchema.Violations(body) is { } violations)
        {
            throw new ShopEventRejectedException($"The shop event does not match {ShopEventSchema.Path}: {violations}");
        }

        var message = JsonSerializer.Deserialize<ShopEvent>(body, Json)!;
        var order = await session.LoadAsync<OrderState>(message.OrderId, context.CancellationToken);
        if (order is null || order.TenantId != message.TenantId)
        {
            throw new ShopEventRejectedException($"orderId: there is no order {message.OrderId} for tenant '{message.TenantId}'");
        }

        var required = OrderStatus.ShopStepFrom[message.Event];
        if (order.CurrentState != required)
        {
            throw new ShopEventRejectedException($"event: the order is {order.CurrentState}; '{message.Event}' needs an order that is {required}");
        }

        ShopSteps.Publish(outbox, message.Event, order.CorrelationId, order.TenantId, $"shop:{message.ShopId}", message.At);
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

/// <summary>The queue <c>orders-shop-events</c>, bound to the fanout exchange of the same name, reading plain JSON.</summary>
public sealed class ShopEventConsumerDefinition : ConsumerDefinition<ShopEventConsumer>
{
    public ShopEventConsumerDefinition() => EndpointName = ShopEventSchema.Exchange;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ShopEventConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.ConfigureConsumeTopology = false;
        endpointConfigurator.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);
    }
}
