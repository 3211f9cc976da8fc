using System.Text.Json;
using GoCoffee.Orders.Metrics;
using GoCoffee.Orders.Webhooks;
using Marten;
using MassTransit;

namespace GoCoffee.Orders.Ordering;

/// <summary>The order saga's repeated steps: recording a transition and telling the tenant (webhook), in the saga's transaction.</summary>
internal static class OrderActivities
{
    public static DateTimeOffset Now<TMessage>(this BehaviorContext<OrderState, TMessage> context)
        where TMessage : class =>
        context.GetServiceOrCreateInstance<TimeProvider>().GetUtcNow();

    /// <summary>Appends the move to <paramref name="to"/> to the order's history and queues the tenant's webhook for it.</summary>
    public static EventActivityBinder<OrderState, TMessage> Moved<TMessage>(
        this EventActivityBinder<OrderState, TMessage> binder,
        string to,
        Func<BehaviorContext<OrderState, TMessage>, string> by,
        string webhookEvent)
        where TMessage : class =>
        binder.ThenAsync(async context =>
        {
            var now = context.Now();
            context.Saga.History.Add(new OrderTransition(context.Saga.CurrentState, to, by(context), now));
            context.Saga.UpdatedAt = now;
            if (to == OrderStatus.Ready)
            {
                context.Saga.ReadyAt = now;
                OrderMetrics.PlacementToReady(context.Saga.TenantId, (now - context.Saga.PlacedAt).TotalSeconds);
            }

            await context.Notify(webhookEvent, to);
        });

    /// <summary>Queues a webhook delivery of the order (as it is after this step) when the tenant has an endpoint; the commit wakes the dispatcher.</summary>
    public static async Task Notify<TMessage>(this BehaviorContext<OrderState, TMessage> context, string webhookEvent, string status)
        where TMessage : class
    {
        var session = context.GetServiceOrCreateInstance<IDocumentSession>();
        if (await session.LoadAsync<WebhookEndpoint>(context.Saga.TenantId, context.CancellationToken) is null)
        {
            return;
        }

        var now = context.Now();
        var id = Guid.CreateVersion7();
        var view = OrderView.Of(context.Saga) with { Status = status, UpdatedAt = now };
        session.Insert(new WebhookDelivery
        {
            Id = id,
            TenantId = context.Saga.TenantId,
            OrderId = context.Saga.CorrelationId,
            Event = webhookEvent,
            Payload = JsonSerializer.Serialize(new WebhookPayload(id, webhookEvent, now, context.Saga.TenantId, view), WebhookPayload.Json),
            CreatedAt = now,
            NextAttemptAt = now,
        });
    }
}

/// <summary>The body of every webhook: the event, when, and the order as it is now.</summary>
public sealed record WebhookPayload(Guid Id, string Type, DateTimeOffset CreatedAt, string TenantId, OrderView Data)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
