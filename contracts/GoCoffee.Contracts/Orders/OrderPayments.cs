namespace GoCoffee.Contracts.Orders;

// Published by the orders service (its order saga): what the payment services act on.

/// <summary>
/// An order waits for payment of <paramref name="Amount"/> in <paramref name="Currency"/> (ISO 4217) until
/// <paramref name="PayBy"/>: the web3 service may open an invoice for it.
/// </summary>
public sealed record OrderAwaitingPayment(Guid OrderId, string TenantId, decimal Amount, string Currency, DateTimeOffset PayBy, DateTimeOffset At);

/// <summary>The order takes no more payment (paid another way, cancelled, or its payment time ran out); <paramref name="Reason"/> says which.</summary>
public sealed record OrderPaymentClosed(Guid OrderId, string TenantId, string Reason, DateTimeOffset At);
