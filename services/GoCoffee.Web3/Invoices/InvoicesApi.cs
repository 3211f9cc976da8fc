using System.Numerics;
using GoCoffee.ServiceDefaults.Security;
using GoCoffee.Web3.Api;
using GoCoffee.Web3.Networks;
using GoCoffee.Web3.Orders;
using GoCoffee.Web3.Tenants;
using GoCoffee.Web3.Wallets;
using Marten;
using Microsoft.Extensions.Options;

namespace GoCoffee.Web3.Invoices;

public sealed record IssueInvoiceRequest(Guid? OrderId, string? Network, string? Asset);

public sealed record InvoicePaymentView(string TransactionHash, int LogIndex, long BlockNumber, string BlockHash, DateTimeOffset BlockTime, string From, string Amount);

public sealed record InvoiceView(
    Guid Id,
    Guid OrderId,
    string Network,
    long ChainId,
    string Asset,
    string? TokenContract,
    int Decimals,
    string Address,
    string DerivationPath,
    decimal FiatAmount,
    string Currency,
    decimal Rate,
    DateTimeOffset RateAt,
    string AmountDue,
    string AmountDueBaseUnits,
    string PaymentUri,
    int RequiredConfirmations,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    string State,
    string Resolution,
    string Received,
    string RefundDue,
    DateTimeOffset? SettledAt,
    IReadOnlyList<InvoicePaymentView> Payments);

public static class InvoicesApi
{
    public static RouteGroupBuilder MapInvoicesApi(this RouteGroupBuilder api)
    {
        api.MapPost("/tenants/{tenantId}/invoices", Issue).WithName("issueInvoice")
            .WithSummary("Issue an invoice for an order awaiting payment, on a network the tenant enabled, to a fresh deposit address").RequireTenantAccess()
            .Accepts<IssueInvoiceRequest>("application/json").Produces<InvoiceView>(StatusCodes.Status201Created).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/tenants/{tenantId}/invoices/{invoiceId:guid}", Get).WithName("getInvoice").WithSummary("One invoice with its payments").RequireTenantAccess()
            .Produces<InvoiceView>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/tenants/{tenantId}/invoices", List).WithName("listInvoices").WithSummary("The tenant's invoices, optionally for one order").RequireTenantAccess()
            .Produces<List<InvoiceView>>();
        return api;
    }

    internal static async Task<IResult> Issue(
        string tenantId,
        HttpRequest http,
        IDocumentSession session,
        IOptions<Web3Options> options,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var (request, unreadable) = await RequestBody.Read<IssueInvoiceRequest>(http, cancellationToken);
        if (unreadable is not null)
        {
            return unreadable;
        }

        var settings = options.Value;
        var errors = new Dictionary<string, string[]>();
        if (request?.OrderId is not { } orderId || orderId == Guid.Empty)
        {
            errors["orderId"] = ["is required: the id of an order awaiting payment."];
            orderId = Guid.Empty;
        }

        NetworkOptions? network = null;
        if (string.IsNullOrWhiteSpace(request?.Network))
        {
            errors["network"] = [$"is required: one of {string.Join(", ", settings.Networks.Keys)}."];
        }
        else if (!settings.Networks.TryGetValue(request.Network, out network))
        {
            errors["network"] = [$"'{ApiProblems.Clip(request.Network)}' is not a network this service watches; one of: {string.Join(", ", settings.Networks.Keys)}."];
        }

        AssetDefinition? asset = null;
        if (network is not null)
        {
            var symbol = string.IsNullOrWhiteSpace(request!.Asset) ? network.NativeSymbol : request.Asset;
            asset = network.Asset(symbol);
            if (asset is null)
            {
                errors["asset"] = [$"'{ApiProblems.Clip(symbol)}' is not accepted on {request.Network}; one of: {string.Join(", ", network.AssetSymbols)}."];
            }
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var networkName = request!.Network!;
        var access = await session.LoadAsync<TenantWeb3Access>(tenantId, cancellationToken);
        if (access is null || !access.Allows(networkName))
        {
            return ApiProblems.Forbidden("network", access is { Enabled: true }
                ? $"the tenant has not enabled {networkName} (enabled: {string.Join(", ", access.Networks)})."
                : "the tenant does not take crypto payments (spec.services.web3 is not enabled).");
        }

        var order = await session.LoadAsync<PayableOrder>(orderId, cancellationToken);
        if (order is null || !string.Equals(order.TenantId, tenantId, StringComparison.Ordinal))
        {
            return ApiProblems.NotFound("orderId", $"the tenant has no order {orderId} awaiting payment.");
        }

        var now = clock.GetUtcNow();
        if (order.ClosedAt is not null || order.PayBy <= now)
        {
            return ApiProblems.Conflict("orderId", $"order {orderId} takes no more payment ({order.ClosedReason ?? "its pay-by time passed"}).");
        }

        var open = await session.Query<Invoice>()
            .Where(i => i.OrderId == orderId && i.TenantId == tenantId && i.State != InvoiceState.Expired && i.State != InvoiceState.PaidLate)
            .FirstOrDefaultAsync(cancellationToken);
        if (open is not null)
        {
            return ApiProblems.Conflict("orderId", $"order {orderId} already has invoice {open.Id} ({open.State}); an order has one open invoice at a time.");
        }

        if (!settings.Rates.TryGetValue(asset!.Symbol, out var rates) || !rates.TryGetValue(order.Currency, out var rate) || rate <= 0)
        {
            return ApiProblems.Conflict("asset", $"no exchange rate is configured for {asset.Symbol} in {order.Currency}.");
        }

        if (Quote(order.Amount, rate, asset.Decimals) is not { } due || due <= 0)
        {
            return ApiProblems.Conflict("orderId", $"the order's amount {order.Amount} {order.Currency} cannot be quoted in {asset.Symbol}.");
        }

        var wallet = await session.LoadAsync<TenantWallet>(TenantWallet.IdFor(tenantId, networkName), cancellationToken);
        if (wallet is null)
        {
            return ApiProblems.Conflict("network", $"the tenant has no wallet on {networkName}: register its extended public key first (PUT wallets/{networkName}).");
        }

        var key = ExtendedPublicKeys.Parse(wallet.ExtendedPublicKey, out _)!;
        var index = wallet.NextIndex;
        wallet.NextIndex++;
        var address = ExtendedPublicKeys.DepositAddress(key, index);
        var expiresAt = now + settings.InvoiceLifetime < order.PayBy ? now + settings.InvoiceLifetime : order.PayBy;
        var invoice = new Invoice
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenantId,
            OrderId = orderId,
            Network = networkName,
            ChainId = network!.ChainId,
            Asset = asset.Symbol,
            TokenContract = asset.Contract,
            Decimals = asset.Decimals,
            Address = address,
            AddressKey = address.ToLowerInvariant(),
            DerivationIndex = index,
            DerivationPath = ExtendedPublicKeys.DerivationPath(index),
            FiatAmount = order.Amount,
            Currency = order.Currency,
            Rate = rate,
            RateAt = settings.RatesAsOf ?? now,
            AmountDue = due.ToString(System.Globalization.CultureInfo.InvariantCulture),
            RequiredConfirmations = network.Confirmations,
            IssuedAt = now,
            ExpiresAt = expiresAt,
            WatchUntil = expiresAt + settings.LatePaymentWatch,
            History = [new InvoiceHistoryEntry(InvoiceState.New, "Issued.", now, null)],
        };

        // The wallet's version guards its counter: a concurrent issue fails here and retries with the next index.
        session.Store(wallet);
        session.Insert(invoice);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/web3/tenants/{tenantId}/invoices/{invoice.Id}", View(invoice));
    }

    internal static async Task<IResult> Get(string tenantId, Guid invoiceId, IQuerySession session, CancellationToken cancellationToken)
    {
        var invoice = await session.LoadAsync<Invoice>(invoiceId, cancellationToken);

        // Another tenant's invoice is answered exactly like one that does not exist.
        return invoice is null || !string.Equals(invoice.TenantId, tenantId, StringComparison.Ordinal)
            ? ApiProblems.NotFound("invoiceId", $"the tenant has no invoice {invoiceId}.")
            : TypedResults.Ok(View(invoice));
    }

    internal static async Task<IResult> List(string tenantId, Guid? orderId, IQuerySession session, CancellationToken cancellationToken)
    {
        var query = session.Query<Invoice>().Where(i => i.TenantId == tenantId);
        if (orderId is { } order)
        {
            query = query.Where(i => i.OrderId == order);
        }

        var invoices = await query.OrderByDescending(i => i.IssuedAt).Take(200).ToListAsync(cancellationToken);
        return TypedResults.Ok(invoices.Select(View).ToList());
    }

    /// <summary>
    /// The amount due in base units: the fiat amount at the rate, rounded up to at most 8 decimals of the asset (so
    /// a wallet shows it whole), never short of the order's value.
    /// </summary>
    public static BigInteger? Quote(decimal fiat, decimal rate, int decimals)
    {
        var shown = Math.Min(decimals, 8);
        try
        {
            var scaled = decimal.Ceiling(fiat / rate * Pow10(shown));
            return new BigInteger(scaled) * BigInteger.Pow(10, decimals - shown);
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static decimal Pow10(int exponent)
    {
        var value = 1m;
        for (var i = 0; i < exponent; i++)
        {
            value *= 10;
        }

        return value;
    }

    public static InvoiceView View(Invoice invoice)
    {
        var due = Invoice.Units(invoice.AmountDue);

        // EIP-681: a wallet opens the right transfer from it (value in base units; a token transfer names the contract).
        var uri = invoice.TokenContract is null
            ? $"ethereum:{invoice.Address}@{invoice.ChainId}?value={invoice.AmountDue}"
            : $"ethereum:{invoice.TokenContract}@{invoice.ChainId}/transfer?address={invoice.Address}&uint256={invoice.AmountDue}";
        return new InvoiceView(
            invoice.Id,
            invoice.OrderId,
            invoice.Network,
            invoice.ChainId,
            invoice.Asset,
            invoice.TokenContract,
            invoice.Decimals,
            invoice.Address,
            invoice.DerivationPath,
            invoice.FiatAmount,
            invoice.Currency,
            invoice.Rate,
            invoice.RateAt,
            Invoice.Format(due, invoice.Decimals),
            invoice.AmountDue,
            uri,
            invoice.RequiredConfirmations,
            invoice.IssuedAt,
            invoice.ExpiresAt,
            invoice.State.ToString(),
            invoice.Resolution,
            Invoice.Format(Invoice.Units(invoice.Received), invoice.Decimals),
            Invoice.Format(Invoice.Units(invoice.RefundDue), invoice.Decimals),
            invoice.SettledAt,
            [.. invoice.Payments.Select(p => new InvoicePaymentView(p.TransactionHash, p.LogIndex, p.BlockNumber, p.BlockHash, p.BlockTime, p.From, Invoice.Format(Invoice.Units(p.Amount), invoice.Decimals)))]);
    }
}
