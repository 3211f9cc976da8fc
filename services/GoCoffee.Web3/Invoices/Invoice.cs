using System.Numerics;

namespace GoCoffee.Web3.Invoices;

/// <summary>
/// Where an invoice stands (see docs in the service README, "Invoice states"): New (nothing seen) → Processing (a
/// transaction seen, waiting for confirmations) → Settled (enough confirmed in time), or Underpaid (confirmed but short
/// beyond the tolerance: waits for a top-up until expiry), Expired (its time ran out without enough paid) and PaidLate
/// (paid after its time: refund due).
/// </summary>
public enum InvoiceState
{
    New,
    Processing,
    Underpaid,
    Settled,
    Expired,
    PaidLate,
}

/// <summary>
/// An invoice for one order, in one asset on one network, payable to a deposit address of its own. Amounts are in the
/// asset's base units (wei, or the token's smallest unit), kept as decimal strings: they can exceed any fixed-size number.
/// Written by the API (issue), the order consumer (close) and the chain watcher (payments, state), with optimistic concurrency.
/// </summary>
public sealed class Invoice
{
    public Guid Id { get; set; }

    public string TenantId { get; set; } = string.Empty;

    public Guid OrderId { get; set; }

    public string Network { get; set; } = string.Empty;

    public long ChainId { get; set; }

    public string Asset { get; set; } = string.Empty;

    /// <summary>The token contract (checksummed) for an ERC-20 invoice; null for the native coin.</summary>
    public string? TokenContract { get; set; }

    public int Decimals { get; set; }

    /// <summary>The deposit address, EIP-55 checksummed.</summary>
    public string Address { get; set; } = string.Empty;

    /// <summary>The same address in lower case: what the watcher matches transfers with.</summary>
    public string AddressKey { get; set; } = string.Empty;

    public int DerivationIndex { get; set; }

    public string DerivationPath { get; set; } = string.Empty;

    /// <summary>The order's amount, in its currency.</summary>
    public decimal FiatAmount { get; set; }

    public string Currency { get; set; } = string.Empty;

    /// <summary>Price of one unit of the asset in <see cref="Currency"/> used for the conversion, and when that rate was taken.</summary>
    public decimal Rate { get; set; }

    public DateTimeOffset RateAt { get; set; }

    public string AmountDue { get; set; } = "0";

    public int RequiredConfirmations { get; set; }

    public DateTimeOffset IssuedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>Payments to the address are recorded until then (expiry plus the late-payment watch).</summary>
    public DateTimeOffset WatchUntil { get; set; }

    /// <summary>When the order stopped taking payment (orders' <c>OrderPaymentClosed</c>), if it did.</summary>
    public DateTimeOffset? ClosedAt { get; set; }

    public string? ClosedReason { get; set; }

    public InvoiceState State { get; set; }

    /// <summary>How the invoice ended or what it waits for, in words (documented per state).</summary>
    public string Resolution { get; set; } = "Waiting for payment.";

    /// <summary>Confirmed amount paid in time.</summary>
    public string Received { get; set; } = "0";

    /// <summary>What the tenant owes back to the payer: an overpayment, a late payment, or a short payment at expiry.</summary>
    public string RefundDue { get; set; } = "0";

    public List<InvoicePayment> Payments { get; set; } = [];

    public DateTimeOffset? SettledAt { get; set; }

    /// <summary>The chain block whose arrival settled it (the last required confirmation).</summary>
    public long? SettledAtBlock { get; set; }

    /// <summary>True once <c>PaymentConfirmed</c> is staged in the outbox (in the same transaction as the settlement).</summary>
    public bool ConfirmationPublished { get; set; }

    public List<InvoiceHistoryEntry> History { get; set; } = [];

    /// <summary>The deadline payments must be on chain by: expiry, or the order's close if earlier.</summary>
    public DateTimeOffset Deadline => ClosedAt is { } closed && closed < ExpiresAt ? closed : ExpiresAt;

    public static BigInteger Units(string value) => BigInteger.Parse(value, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Base units as an amount of the asset (exact, as text): 1500000000000000 wei → "0.0015".</summary>
    public static string Format(BigInteger units, int decimals)
    {
        var negative = units.Sign < 0;
        var digits = BigInteger.Abs(units).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(decimals + 1, '0');
        var whole = digits[..^decimals];
        var fraction = decimals == 0 ? string.Empty : digits[^decimals..].TrimEnd('0');
        return (negative ? "-" : string.Empty) + (fraction.Length == 0 ? whole : $"{whole}.{fraction}");
    }
}

/// <summary>
/// One transfer to the deposit address as the chain holds it: a native transaction (<see cref="LogIndex"/> −1) or a
/// token <c>Transfer</c> log. Its block hash is kept so a reorganisation that drops the block drops the payment.
/// </summary>
public sealed record InvoicePayment(
    string TransactionHash,
    int LogIndex,
    long BlockNumber,
    string BlockHash,
    DateTimeOffset BlockTime,
    string From,
    string Amount);

public sealed record InvoiceHistoryEntry(InvoiceState State, string Resolution, DateTimeOffset At, long? Block);
