using System.Numerics;
using GoCoffee.Contracts.Orders;
using GoCoffee.Testing;
using GoCoffee.Web3.Invoices;
using GoCoffee.Web3.Tests.Chain;
using Nethereum.Util;

namespace GoCoffee.Web3.Tests;

/// <summary>Invoices paid with real transactions on anvil, followed by the service's chain watcher.</summary>
[Collection(Web3Collection.Name)]
public sealed class InvoiceLifecycleTests(Web3Platform platform)
{
    private static BigInteger Wei(InvoiceView invoice) => BigInteger.Parse(invoice.AmountDueBaseUnits, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Native_payment_settles_after_the_required_confirmations_and_confirms_the_order_exactly_once()
    {
        var (tenantId, client) = await platform.Tenant();
        var orderId = await platform.OrderAwaitingPayment(tenantId, 4.50m);
        var invoice = await platform.Issue(client, tenantId, orderId);

        Assert.Equal("New", invoice.State);
        Assert.Equal("ETH", invoice.Asset);
        Assert.Equal(3000m, invoice.Rate);
        Assert.Equal(DateTimeOffset.Parse("2026-12-05T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture), invoice.RateAt);
        Assert.Equal("0.0015", invoice.AmountDue);
        Assert.Equal("1500000000000000", invoice.AmountDueBaseUnits);
        Assert.Equal(AddressUtil.Current.ConvertToChecksumAddress(invoice.Address), invoice.Address);
        Assert.NotEqual(invoice.Address.ToLowerInvariant(), invoice.Address);
        Assert.True(invoice.ExpiresAt > invoice.IssuedAt);

        var payment = await platform.Node.Pay(invoice.Address, Wei(invoice));
        await platform.WatcherCaughtUp();
        var seen = await platform.WaitFor(client, tenantId, invoice.Id, "Processing");
        Assert.Equal(payment.TransactionHash, Assert.Single(seen.Payments).TransactionHash);

        await platform.Node.Mine(Web3Platform.Confirmations - 2);
        await platform.WatcherCaughtUp();
        Assert.Equal("Processing", (await platform.Invoice(client, tenantId, invoice.Id)).State);
        Assert.Empty(platform.ConfirmationsFor(orderId));

        await platform.Node.Mine(1);
        var settled = await platform.WaitFor(client, tenantId, invoice.Id, "Settled");
        Assert.Equal("0.0015", settled.Received);
        Assert.Equal("0", settled.RefundDue);
        var confirmed = await platform.WaitForConfirmation(orderId);
        Assert.Equal(invoice.Id, confirmed.PaymentId);
        Assert.Equal(4.50m, confirmed.Amount);
        Assert.Equal("EUR", confirmed.Currency);
        Assert.Equal(tenantId, confirmed.TenantId);
        Assert.Contains(payment.TransactionHash, confirmed.Reference, StringComparison.Ordinal);

        // More blocks change nothing: one confirmation per order, whatever follows.
        await platform.Node.Mine(5);
        await platform.WatcherCaughtUp();
        await platform.Node.Mine(1);
        await platform.WatcherCaughtUp();
        Assert.Single(platform.ConfirmationsFor(orderId));
    }

    [Fact]
    public async Task Erc20_payment_is_read_from_the_token_Transfer_logs_with_its_decimals()
    {
        var (tenantId, client) = await platform.Tenant();
        var orderId = await platform.OrderAwaitingPayment(tenantId, 9.00m);
        var invoice = await platform.Issue(client, tenantId, orderId, asset: "TUSD");
        Assert.Equal(AddressUtil.Current.ConvertToChecksumAddress(platform.TokenContract), invoice.TokenContract);
        Assert.Equal(6, invoice.Decimals);
        Assert.Equal("10", invoice.AmountDue);
        Assert.Equal("10000000", invoice.AmountDueBaseUnits);

        // Ether sent to a token invoice's address is not the token: it does not pay it.
        await platform.Node.Pay(invoice.Address, BigInteger.Pow(10, 18));
        var transfer = await TestStablecoin.Transfer(platform.Node, platform.TokenContract, invoice.Address, 10_000_000);
        await platform.Node.Mine(Web3Platform.Confirmations - 1);
        var settled = await platform.WaitFor(client, tenantId, invoice.Id, "Settled");
        var paid = Assert.Single(settled.Payments);
        Assert.Equal(transfer.TransactionHash, paid.TransactionHash);
        Assert.True(paid.LogIndex >= 0);
        Assert.Equal("10", settled.Received);
        await platform.WaitForConfirmation(orderId);
        await platform.Node.Mine(2);
        await platform.WatcherCaughtUp();
        Assert.Single(platform.ConfirmationsFor(orderId));
    }

    [Fact]
    public async Task Underpayment_beyond_the_tolerance_waits_for_a_top_up_then_settles_once()
    {
        var (tenantId, client) = await platform.Tenant();
        var orderId = await platform.OrderAwaitingPayment(tenantId, 6.00m);
        var invoice = await platform.Issue(client, tenantId, orderId);
        var due = Wei(invoice);

        await platform.Node.Pay(invoice.Address, due / 2);
        await platform.Node.Mine(Web3Platform.Confirmations);
        var underpaid = await platform.WaitFor(client, tenantId, invoice.Id, "Underpaid");
        Assert.Contains("top-up", underpaid.Resolution, StringComparison.Ordinal);
        Assert.Empty(platform.ConfirmationsFor(orderId));

        await platform.Node.Pay(invoice.Address, due - due / 2);
        await platform.Node.Mine(Web3Platform.Confirmations);
        var settled = await platform.WaitFor(client, tenantId, invoice.Id, "Settled");
        Assert.Equal(2, settled.Payments.Count);
        Assert.Equal("Paid: settled.", settled.Resolution);
        await platform.WaitForConfirmation(orderId);
        await platform.Node.Mine(2);
        await platform.WatcherCaughtUp();
        Assert.Single(platform.ConfirmationsFor(orderId));
    }

    [Fact]
    public async Task Underpayment_within_the_tolerance_settles_and_records_the_shortfall()
    {
        var (tenantId, client) = await platform.Tenant();
        var orderId = await platform.OrderAwaitingPayment(tenantId, 6.00m);
        var invoice = await platform.Issue(client, tenantId, orderId);

        await platform.Node.Pay(invoice.Address, Wei(invoice) * 997 / 1000);
        await platform.Node.Mine(Web3Platform.Confirmations);
        var settled = await platform.WaitFor(client, tenantId, invoice.Id, "Settled");
        Assert.StartsWith("Underpaid within tolerance", settled.Resolution, StringComparison.Ordinal);
        Assert.Equal("0", settled.RefundDue);
        await platform.WaitForConfirmation(orderId);
    }

    [Fact]
    public async Task Overpayment_settles_and_records_the_refund_due()
    {
        var (tenantId, client) = await platform.Tenant();
        var orderId = await platform.OrderAwaitingPayment(tenantId, 4.50m);
        var invoice = await platform.Issue(client, tenantId, orderId);

        await platform.Node.Pay(invoice.Address, Wei(invoice) * 12 / 10);
        await platform.Node.Mine(Web3Platform.Confirmations);
        var settled = await platform.WaitFor(client, tenantId, invoice.Id, "Settled");
        Assert.StartsWith("Overpaid", settled.Resolution, StringComparison.Ordinal);
        Assert.Equal("0.0003", settled.RefundDue);
        Assert.Equal("0.0018", settled.Received);
        await platform.WaitForConfirmation(orderId);
    }

    [Fact]
    public async Task Payment_after_expiry_is_PaidLate_with_a_refund_due_and_confirms_nothing()
    {
        var (tenantId, client) = await platform.Tenant();
        var orderId = await platform.OrderAwaitingPayment(tenantId, 4.50m, payWithin: TimeSpan.FromSeconds(4));
        var invoice = await platform.Issue(client, tenantId, orderId);
        Assert.True(invoice.ExpiresAt <= DateTimeOffset.UtcNow + TimeSpan.FromSeconds(4), "an invoice never outlives its order's pay-by time");

        var expired = await platform.WaitFor(client, tenantId, invoice.Id, "Expired");
        Assert.Equal("Expired: the invoice expired with no payment.", expired.Resolution);

        await platform.Node.SetNextBlockTime(invoice.ExpiresAt + TimeSpan.FromSeconds(5));
        await platform.Node.Pay(invoice.Address, Wei(invoice));
        await platform.Node.Mine(Web3Platform.Confirmations);
        var late = await platform.WaitFor(client, tenantId, invoice.Id, "PaidLate");
        Assert.Equal("0.0015", late.RefundDue);
        await platform.WatcherCaughtUp();
        Assert.Empty(platform.ConfirmationsFor(orderId));
    }

    [Fact]
    public async Task Payment_after_the_order_closed_is_PaidLate_and_confirms_nothing()
    {
        var (tenantId, client) = await platform.Tenant();
        var orderId = await platform.OrderAwaitingPayment(tenantId, 4.50m);
        var invoice = await platform.Issue(client, tenantId, orderId);
        var closedAt = DateTimeOffset.UtcNow;
        await BrokerPublisher.Publish(platform.VirtualHost.ConnectionStringFor("orders"), new OrderPaymentClosed(orderId, tenantId, "Cancelled", closedAt));
        var expired = await platform.WaitFor(client, tenantId, invoice.Id, "Expired");
        Assert.Contains("the order closed (Cancelled)", expired.Resolution, StringComparison.Ordinal);

        await platform.Node.SetNextBlockTime(closedAt + TimeSpan.FromSeconds(5));
        await platform.Node.Pay(invoice.Address, Wei(invoice));
        await platform.Node.Mine(Web3Platform.Confirmations);
        var late = await platform.WaitFor(client, tenantId, invoice.Id, "PaidLate");
        Assert.Equal("0.0015", late.RefundDue);
        Assert.Empty(platform.ConfirmationsFor(orderId));
    }

    [Fact]
    public async Task Reorganisation_removing_the_paying_transaction_returns_the_invoice_to_New_and_confirms_nothing()
    {
        var (tenantId, client) = await platform.Tenant();
        var orderId = await platform.OrderAwaitingPayment(tenantId, 4.50m);
        var invoice = await platform.Issue(client, tenantId, orderId);

        var payment = await platform.Node.Pay(invoice.Address, Wei(invoice));
        var paidIn = (long)payment.BlockNumber.Value;
        await platform.WaitFor(client, tenantId, invoice.Id, "Processing");
        var before = await platform.Node.HashAt(paidIn);

        // The block holding the payment is replaced by one without it, before the payment had its confirmations.
        await platform.Node.Reorg(depth: 1);
        Assert.NotEqual(before, await platform.Node.HashAt(paidIn));
        Assert.Null(await platform.Node.Web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(payment.TransactionHash));

        var reverted = await platform.WaitFor(client, tenantId, invoice.Id, "New");
        Assert.Empty(reverted.Payments);
        await platform.Node.Mine(Web3Platform.Confirmations + 2);
        await platform.WatcherCaughtUp();
        Assert.Equal("New", (await platform.Invoice(client, tenantId, invoice.Id)).State);
        Assert.Empty(platform.ConfirmationsFor(orderId));

        // Paid again on the new chain: settles, and the order is confirmed once.
        await platform.Node.Pay(invoice.Address, Wei(invoice));
        await platform.Node.Mine(Web3Platform.Confirmations);
        var settled = await platform.WaitFor(client, tenantId, invoice.Id, "Settled");
        Assert.NotEqual(payment.TransactionHash, Assert.Single(settled.Payments).TransactionHash);
        await platform.WaitForConfirmation(orderId);
        await platform.Node.Mine(2);
        await platform.WatcherCaughtUp();
        Assert.Single(platform.ConfirmationsFor(orderId));
    }
}
