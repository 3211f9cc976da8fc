namespace GoCoffee.Orders.Payments;

public static class CardPaymentStatus
{
    public const string Pending = nameof(Pending);
    public const string RequiresAction = nameof(RequiresAction);
    public const string Processing = nameof(Processing);
    public const string Succeeded = nameof(Succeeded);
    public const string Failed = nameof(Failed);

    public static readonly IReadOnlyList<string> Open = [Pending, RequiresAction, Processing];
}

/// <summary>One card payment attempt for an order, as the provider reported it; refunds are taken from it.</summary>
public sealed class CardPayment
{
    public Guid Id { get; set; }

    public Guid OrderId { get; set; }

    public string TenantId { get; set; } = string.Empty;

    public string Provider { get; set; } = string.Empty;

    public string? Reference { get; set; }

    public string Status { get; set; } = CardPaymentStatus.Pending;

    public string? FailureCode { get; set; }

    public decimal Amount { get; set; }

    public string Currency { get; set; } = string.Empty;

    public decimal Refunded { get; set; }

    public List<CardRefund> Refunds { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed record CardRefund(Guid Id, decimal Amount, string Reference, string? Reason, DateTimeOffset At);

public sealed record CardPaymentView(Guid Id, Guid OrderId, string Status, decimal Amount, string Currency, decimal Refunded, string? FailureCode, string? Reference, NextAction? NextAction)
{
    public static CardPaymentView Of(CardPayment payment, string tenantId) =>
        new(
            payment.Id,
            payment.OrderId,
            payment.Status,
            payment.Amount,
            payment.Currency,
            payment.Refunded,
            payment.FailureCode,
            payment.Reference,
            payment.Status == CardPaymentStatus.RequiresAction
                ? new NextAction("authenticate", $"{OrdersService.Identity.RoutePrefix}/{tenantId}/orders/{payment.OrderId}/payments/{payment.Id}/authenticate")
                : null);
}

public sealed record NextAction(string Type, string Url);
