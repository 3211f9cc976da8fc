using System.Numerics;

namespace GoCoffee.Web3.Invoices;

/// <summary>The outcome of evaluating an invoice against the chain and the clock.</summary>
public sealed record InvoiceStanding(InvoiceState State, string Resolution, BigInteger Received, BigInteger RefundDue);

/// <summary>
/// Where an invoice stands, decided from its payments alone (pure: the chain head and the clock are passed in), so a
/// reorganisation that removes a payment simply re-decides. Settled is final: it is only reached with the required
/// confirmations, and its <c>PaymentConfirmed</c> is already on its way.
/// </summary>
public static class InvoiceRules
{
    public static InvoiceStanding Evaluate(Invoice invoice, long head, DateTimeOffset now, decimal tolerance)
    {
        var due = Invoice.Units(invoice.AmountDue);
        var deadline = invoice.Deadline;
        bool Confirmed(InvoicePayment p) => head - p.BlockNumber + 1 >= invoice.RequiredConfirmations;

        var inTime = invoice.Payments.Where(p => p.BlockTime <= deadline).ToList();
        var late = invoice.Payments.Where(p => p.BlockTime > deadline).ToList();
        var confirmedInTime = Sum(inTime.Where(Confirmed));
        var pendingInTime = Sum(inTime.Where(p => !Confirmed(p)));
        var confirmedLate = Sum(late.Where(Confirmed));
        var threshold = due - MinorShortfall(due, tolerance);

        if (invoice.State == InvoiceState.Settled || confirmedInTime >= threshold)
        {
            var refund = BigInteger.Max(BigInteger.Zero, confirmedInTime - due) + confirmedLate;
            var resolution = confirmedInTime > due ? $"Overpaid: settled; {Amount(invoice, confirmedInTime - due)} to refund to the payer."
                : confirmedInTime < due ? $"Underpaid within tolerance: settled {Amount(invoice, due - confirmedInTime)} short."
                : "Paid: settled.";
            if (confirmedLate > 0)
            {
                resolution += $" A further {Amount(invoice, confirmedLate)} arrived after the deadline: refund due.";
            }

            return new InvoiceStanding(InvoiceState.Settled, resolution, confirmedInTime, refund);
        }

        if (now <= deadline)
        {
            if (pendingInTime > 0)
            {
                return new InvoiceStanding(InvoiceState.Processing, $"{Amount(invoice, pendingInTime)} seen, waiting for {invoice.RequiredConfirmations} confirmations.", confirmedInTime, BigInteger.Zero);
            }

            return confirmedInTime > 0
                ? new InvoiceStanding(InvoiceState.Underpaid, $"Underpaid: {Amount(invoice, confirmedInTime)} of {Amount(invoice, due)} received; waiting for a top-up of {Amount(invoice, due - confirmedInTime)} until {invoice.Deadline:O}.", confirmedInTime, BigInteger.Zero)
                : new InvoiceStanding(InvoiceState.New, "Waiting for payment.", BigInteger.Zero, BigInteger.Zero);
        }

        // Past the deadline: a payment on chain in time still settles once confirmed, if it is enough.
        if (pendingInTime > 0 && confirmedInTime + pendingInTime >= threshold)
        {
            return new InvoiceStanding(InvoiceState.Processing, $"{Amount(invoice, pendingInTime)} paid in time, waiting for {invoice.RequiredConfirmations} confirmations.", confirmedInTime, BigInteger.Zero);
        }

        var closed = invoice.ClosedAt is { } at && at < invoice.ExpiresAt ? $"the order closed ({invoice.ClosedReason})" : "the invoice expired";
        if (confirmedLate > 0)
        {
            return new InvoiceStanding(
                InvoiceState.PaidLate,
                $"Paid late: {Amount(invoice, confirmedLate)} arrived after {closed}; the order is not paid by it and {Amount(invoice, confirmedInTime + confirmedLate)} is to be refunded.",
                confirmedInTime,
                confirmedInTime + confirmedLate);
        }

        return confirmedInTime > 0
            ? new InvoiceStanding(InvoiceState.Expired, $"Expired underpaid: {closed} with {Amount(invoice, confirmedInTime)} of {Amount(invoice, due)} received, which is to be refunded.", confirmedInTime, confirmedInTime)
            : new InvoiceStanding(InvoiceState.Expired, $"Expired: {closed} with no payment.", BigInteger.Zero, BigInteger.Zero);
    }

    /// <summary>The shortfall the tolerance forgives, rounded down to a whole base unit.</summary>
    public static BigInteger MinorShortfall(BigInteger due, decimal tolerance)
    {
        // tolerance as a fraction of 10^9 parts: exact for the tolerances anyone configures.
        var parts = new BigInteger(decimal.Round(tolerance * 1_000_000_000m, 0, MidpointRounding.ToZero));
        return due * parts / 1_000_000_000;
    }

    private static BigInteger Sum(IEnumerable<InvoicePayment> payments) =>
        payments.Aggregate(BigInteger.Zero, (total, p) => total + Invoice.Units(p.Amount));

    private static string Amount(Invoice invoice, BigInteger units) => $"{Invoice.Format(units, invoice.Decimals)} {invoice.Asset}";
}
