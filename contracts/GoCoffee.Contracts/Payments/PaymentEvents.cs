namespace GoCoffee.Contracts.Payments;

/// <summary>
/// A payment for an order is final, published by the service that took it (the web3 service for crypto payments, once
/// the paying transactions have their confirmations). <paramref name="PaymentId"/> is stable for one payment, so a
/// redelivery is recognisable; the orders saga takes at most one confirmation per order. <paramref name="Amount"/> is
/// in the order's <paramref name="Currency"/>; <paramref name="Reference"/> is what the payment is found by (an invoice
/// id, a transaction hash).
/// </summary>
public sealed record PaymentConfirmed(
    Guid OrderId,
    string TenantId,
    Guid PaymentId,
    string Method,
    decimal Amount,
    string Currency,
    string Reference,
    DateTimeOffset At);
