using GoCoffee.Contracts.Orders;
using Marten;
using MassTransit;

namespace GoCoffee.Observability.Console;

/// <summary>An order as the console counts it: placed (waiting for payment) at, for how much, and whether it was paid.</summary>
public sealed class OrderActivity
{
    public Guid Id { get; set; }

    public string TenantId { get; set; } = string.Empty;

    public decimal Amount { get; set; }

    public string Currency { get; set; } = string.Empty;

    public DateTimeOffset PlacedAt { get; set; }

    public DateTimeOffset? PaidAt { get; set; }
}

/// <summary>Keeps <see cref="OrderActivity"/> from the orders service's events (a durable queue: nothing is missed across restarts).</summary>
public sealed class OrderActivityConsumer(IDocumentSession session) : IConsumer<OrderAwaitingPayment>, IConsumer<OrderPaymentClosed>
{
    public async Task Consume(ConsumeContext<OrderAwaitingPayment> context)
    {
        var message = context.Message;
        var known = await session.LoadAsync<OrderActivity>(message.OrderId, context.CancellationToken) ?? new OrderActivity { Id = message.OrderId };
        known.TenantId = message.TenantId;
        known.Amount = message.Amount;
        known.Currency = message.Currency;
        known.PlacedAt = message.At;
        session.Store(known);
    }

    public async Task Consume(ConsumeContext<OrderPaymentClosed> context)
    {
        var message = context.Message;
        if (message.Reason != "paid")
        {
            return;
        }

        // The payment may be reported before the placement arrives: its amount then follows with it.
        var known = await session.LoadAsync<OrderActivity>(message.OrderId, context.CancellationToken) ?? new OrderActivity { Id = message.OrderId, TenantId = message.TenantId, PlacedAt = message.At };
        known.PaidAt = message.At;
        session.Store(known);
    }
}

public sealed record MinuteBucket(DateTimeOffset Minute, int Orders, int Paid, IReadOnlyDictionary<string, decimal> Revenue);

public sealed record BusinessSummary(int Minutes, int Orders, int Paid, IReadOnlyDictionary<string, decimal> Revenue, IReadOnlyList<MinuteBucket> PerMinute);
