using MassTransit;

namespace GoCoffee.Orders.Ordering;

/// <summary>
/// One order and where its saga is: the read model the API answers from, persisted in PostgreSQL with optimistic
/// concurrency. The API inserts it (state Placed); from then on only the saga changes it.
/// </summary>
public sealed class OrderState : SagaStateMachineInstance
{
    /// <summary>The order id.</summary>
    public Guid CorrelationId { get; set; }

    public string CurrentState { get; set; } = string.Empty;

    public string TenantId { get; set; } = string.Empty;

    public string IdempotencyKey { get; set; } = string.Empty;

    /// <summary>SHA-256 of the canonical request: a repeat with the same key and another body is refused.</summary>
    public string RequestHash { get; set; } = string.Empty;

    public List<OrderLine> Lines { get; set; } = [];

    public decimal Total { get; set; }

    public string Currency { get; set; } = string.Empty;

    public string? PickupName { get; set; }

    public DateTimeOffset PlacedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? PayBy { get; set; }

    public DateTimeOffset? PaidAt { get; set; }

    public DateTimeOffset? ReadyAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public Guid? PaymentTimeoutToken { get; set; }

    public Guid? PaymentId { get; set; }

    public string? PaymentMethod { get; set; }

    public string? PaymentReference { get; set; }

    public decimal PaidAmount { get; set; }

    public decimal RefundedAmount { get; set; }

    public string? CancelReason { get; set; }

    public List<OrderTransition> History { get; set; } = [];

    /// <summary>Payments that arrived when the order took none (a second payment, or one after cancellation): refunds due.</summary>
    public List<UnappliedPayment> UnappliedPayments { get; set; } = [];
}

public sealed class OrderLine
{
    public string ItemId { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public string Size { get; set; } = string.Empty;

    public int Quantity { get; set; }

    public decimal UnitPrice { get; set; }

    public List<OrderExtra> Extras { get; set; } = [];

    /// <summary>Free-text instructions: a custom order (the tenant's <c>custom-orders</c> feature).</summary>
    public string? Note { get; set; }

    public decimal LineTotal { get; set; }
}

public sealed class OrderExtra
{
    public string Id { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public decimal Price { get; set; }
}

public sealed record OrderTransition(string From, string To, string By, DateTimeOffset At);

public sealed record UnappliedPayment(Guid PaymentId, string Method, decimal Amount, string Currency, string Reference, string Reason, DateTimeOffset At);

public sealed class OrderOptions
{
    /// <summary>How long an order waits for payment before its saga cancels it (a durable timeout).</summary>
    public TimeSpan PaymentTimeout { get; set; } = TimeSpan.FromMinutes(15);

    public int MaxLines { get; set; } = 20;

    public int MaxQuantity { get; set; } = 20;
}

/// <summary>The order states, as the API shows them and the saga stores them.</summary>
public static class OrderStatus
{
    public const string Placed = nameof(Placed);
    public const string AwaitingPayment = nameof(AwaitingPayment);
    public const string Paid = nameof(Paid);
    public const string Brewing = nameof(Brewing);
    public const string Ready = nameof(Ready);
    public const string Completed = nameof(Completed);
    public const string Cancelled = nameof(Cancelled);
    public const string Refunded = nameof(Refunded);

    public static readonly IReadOnlyList<string> All = [Placed, AwaitingPayment, Paid, Brewing, Ready, Completed, Cancelled, Refunded];

    public static readonly IReadOnlyList<string> Payable = [Placed, AwaitingPayment];

    public static readonly IReadOnlyList<string> Cancellable = [Placed, AwaitingPayment];

    public static readonly IReadOnlyList<string> Refundable = [Paid, Brewing, Ready, Completed];

    /// <summary>What each shop step needs the order to be in.</summary>
    public static readonly IReadOnlyDictionary<string, string> ShopStepFrom = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["brewing"] = Paid,
        ["ready"] = Brewing,
        ["picked-up"] = Ready,
    };
}
