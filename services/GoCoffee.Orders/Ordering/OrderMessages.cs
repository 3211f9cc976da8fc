using MassTransit;

namespace GoCoffee.Orders.Ordering;

// The order saga's own messages: only the orders service sends them. Their exchanges are named "orders-…", which only
// the orders service's broker user may write to (scripts/broker-permissions.tsv), so no other process can forge one.

/// <summary>The API placed an order: the saga asks for payment.</summary>
[EntityName("orders-order-placed")]
public sealed record OrderPlaced(Guid OrderId, string TenantId, DateTimeOffset At);

/// <summary>A card payment for the order succeeded at the provider (synchronously, or by its signed callback).</summary>
[EntityName("orders-card-payment-captured")]
public sealed record CardPaymentCaptured(Guid OrderId, string TenantId, Guid PaymentId, decimal Amount, string Currency, string Reference, DateTimeOffset At);

[EntityName("orders-order-cancellation-requested")]
public sealed record OrderCancellationRequested(Guid OrderId, string TenantId, string Reason, string By, DateTimeOffset At);

/// <summary>The order's payment time ran out (durable timeout; ignored unless <paramref name="Token"/> is the current one).</summary>
[EntityName("orders-order-payment-timed-out")]
public sealed record OrderPaymentTimedOut(Guid OrderId, string TenantId, Guid Token);

/// <summary>A shop started brewing the order (a shop event or the barista app).</summary>
[EntityName("orders-order-brewing-started")]
public sealed record OrderBrewingStarted(Guid OrderId, string TenantId, string By, DateTimeOffset At);

[EntityName("orders-order-made-ready")]
public sealed record OrderMadeReady(Guid OrderId, string TenantId, string By, DateTimeOffset At);

[EntityName("orders-order-picked-up")]
public sealed record OrderPickedUp(Guid OrderId, string TenantId, string By, DateTimeOffset At);

/// <summary>Money went back to the customer through the provider; the order is Refunded once all of it has.</summary>
[EntityName("orders-order-refund-issued")]
public sealed record OrderRefundIssued(Guid OrderId, string TenantId, Guid RefundId, decimal Amount, string Currency, DateTimeOffset At);
