namespace GoCoffee.Orders.Payments;

/// <summary>
/// A card payment provider (Stripe, Adyen, ... or the sandbox): charge a card token, complete a second step
/// (3-D Secure), refund, and verify the provider's signed callbacks. Outcomes the provider reports later arrive as
/// callbacks, which <see cref="VerifyCallback"/> authenticates.
/// </summary>
public interface ICardPaymentProvider
{
    string Name { get; }

    Task<CardOutcome> Charge(CardCharge charge, CancellationToken cancellationToken);

    Task<CardOutcome> CompleteSecondStep(string reference, string code, CancellationToken cancellationToken);

    Task<CardRefundOutcome> Refund(string reference, decimal amount, string currency, CancellationToken cancellationToken);

    /// <summary>The callback if <paramref name="signature"/> proves the provider sent <paramref name="body"/> recently; else why not.</summary>
    CallbackVerification VerifyCallback(string body, string? signature);
}

public sealed record CardCharge(Guid PaymentId, Guid OrderId, string TenantId, string Token, decimal Amount, string Currency);

public enum CardOutcomeKind
{
    Approved,
    Declined,
    RequiresAction,
    Processing,
}

/// <summary>What the provider answered: approved, declined (with its code), a second step required, or processing (a callback follows).</summary>
public sealed record CardOutcome(CardOutcomeKind Kind, string Reference, string? DeclineCode = null);

public sealed record CardRefundOutcome(bool Succeeded, string Reference, string? FailureCode = null);

/// <summary>A provider's callback: the payment it concerns, and whether it succeeded.</summary>
public sealed record CardCallback(Guid PaymentId, string Reference, bool Succeeded, string? FailureCode);

public sealed record CallbackVerification(CardCallback? Callback, string? Refusal);

/// <summary>A token the provider does not know: the client's mistake (422 naming the token).</summary>
public sealed class UnknownCardTokenException(string message) : Exception(message);
