namespace GoCoffee.Orders.Ordering;

/// <summary>An order as the API and webhooks show it.</summary>
public sealed record OrderView(
    Guid Id,
    string TenantId,
    string Status,
    IReadOnlyList<OrderLine> Lines,
    decimal Total,
    string Currency,
    string? PickupName,
    DateTimeOffset PlacedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? PayBy,
    DateTimeOffset? PaidAt,
    DateTimeOffset? ReadyAt,
    DateTimeOffset? CompletedAt,
    OrderPaymentView? Payment,
    string? CancelReason,
    IReadOnlyList<OrderTransition> History,
    IReadOnlyList<UnappliedPayment> UnappliedPayments)
{
    public static OrderView Of(OrderState order) =>
        new(
            order.CorrelationId,
            order.TenantId,
            order.CurrentState,
            order.Lines,
            order.Total,
            order.Currency,
            order.PickupName,
            order.PlacedAt,
            order.UpdatedAt,
            order.PayBy,
            order.PaidAt,
            order.ReadyAt,
            order.CompletedAt,
            order.PaymentId is { } id ? new OrderPaymentView(id, order.PaymentMethod ?? string.Empty, order.PaidAmount, order.RefundedAmount, order.PaymentReference) : null,
            order.CancelReason,
            order.History,
            order.UnappliedPayments);
}

public sealed record OrderPaymentView(Guid Id, string Method, decimal Amount, decimal Refunded, string? Reference);
