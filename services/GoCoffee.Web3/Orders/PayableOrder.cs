using GoCoffee.Contracts.Orders;
using GoCoffee.Web3.Invoices;
using Marten;
using MassTransit;

namespace GoCoffee.Web3.Orders;

/// <summary>An order the orders service asked payment for (<see cref="OrderAwaitingPayment"/>), and whether it still takes payment.</summary>
public sealed class PayableOrder
{
    public Guid Id { get; set; }

    public string TenantId { get; set; } = string.Empty;

    public decimal Amount { get; set; }

    public string Currency { get; set; } = string.Empty;

    public DateTimeOffset PayBy { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public string? ClosedReason { get; set; }
}

public sealed class OrderAwaitingPaymentConsumer(IDocumentSession session) : IConsumer<OrderAwaitingPayment>
{
    public async Task Consume(ConsumeContext<OrderAwaitingPayment> context)
    {
        var message = context.Message;
        var order = await session.LoadAsync<PayableOrder>(message.OrderId, context.CancellationToken);
        if (order is not null && (order.ClosedAt is not null || !string.Equals(order.TenantId, message.TenantId, StringComparison.Ordinal)))
        {
            // Closed already (the close overtook this message), or a message naming another tenant for a known order.
            return;
        }

        order ??= new PayableOrder { Id = message.OrderId, TenantId = message.TenantId };
        order.Amount = message.Amount;
        order.Currency = message.Currency;
        order.PayBy = message.PayBy;
        session.Store(order);
    }
}

/// <summary>
/// The order takes no more payment: its invoices stop counting payments made after this moment (those become PaidLate,
/// refund due); a payment already on chain before it still settles its invoice.
/// </summary>
public sealed class OrderPaymentClosedConsumer(IDocumentSession session) : IConsumer<OrderPaymentClosed>
{
    public async Task Consume(ConsumeContext<OrderPaymentClosed> context)
    {
        var message = context.Message;
        var order = await session.LoadAsync<PayableOrder>(message.OrderId, context.CancellationToken)
                    ?? new PayableOrder { Id = message.OrderId, TenantId = message.TenantId, PayBy = message.At };
        if (!string.Equals(order.TenantId, message.TenantId, StringComparison.Ordinal) || order.ClosedAt is not null)
        {
            return;
        }

        order.ClosedAt = message.At;
        order.ClosedReason = message.Reason;
        session.Store(order);

        var invoices = await session.Query<Invoice>().Where(i => i.OrderId == message.OrderId && i.TenantId == message.TenantId).ToListAsync(context.CancellationToken);
        foreach (var invoice in invoices.Where(i => i.ClosedAt is null))
        {
            invoice.ClosedAt = message.At;
            invoice.ClosedReason = message.Reason;
            session.Store(invoice);
        }
    }
}
