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
        var known = await session.LoadAsync<OrderActivity>(message.OrderId, context.CancellationToken);
        var activity = known ?? new OrderActivity { Id = message.OrderId };
        activity.TenantId = message.TenantId;
        activity.Amount = message.Amount;
        activity.Currency = message.Currency;
        activity.PlacedAt = message.At;
        Save(activity, isNew: known is null);
    }

    public async Task Consume(ConsumeContext<OrderPaymentClosed> context)
    {
        var message = context.Message;
        if (message.Reason != "paid")
        {
            return;
        }

        // The payment may be reported before the placement arrives: its amount then follows with it.
        var known = await session.LoadAsync<OrderActivity>(message.OrderId, context.CancellationToken);
        var activity = known ?? new OrderActivity { Id = message.OrderId, TenantId = message.TenantId, PlacedAt = message.At };
        activity.PaidAt = message.At;
        Save(activity, isNew: known is null);
    }

    /// <summary>
    /// Both events of one order may be consumed at once: a new record is inserted (the loser of a race fails and is
    /// retried, reading the winner's) and a known one updated under optimistic concurrency, so neither overwrites the other.
    /// </summary>
    private void Save(OrderActivity activity, bool isNew)
    {
        if (isNew)
        {
            session.Insert(activity);
        }
        else
        {
            session.Update(activity);
        }
    }
}

public sealed record MinuteBucket(DateTimeOffset Minute, int Orders, int Paid, IReadOnlyDictionary<string, decimal> Revenue);

public sealed record BusinessSummary(int Minutes, int Orders, int Paid, IReadOnlyDictionary<string, decimal> Revenue, IReadOnlyList<MinuteBucket> PerMinute);
