using System.Numerics;
using GoCoffee.Contracts.Payments;
using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.Web3.Invoices;
using GoCoffee.Web3.Networks;
using Marten;
using Microsoft.Extensions.Options;

namespace GoCoffee.Web3.Watching;

/// <summary>
/// Follows every configured network's node over JSON-RPC: reads each new block once, in order, records the transfers
/// to watched invoices' addresses (native transactions that succeeded, and the configured tokens' <c>Transfer</c>
/// logs), counts confirmations, and re-decides the invoices. One step is one PostgreSQL transaction: the blocks'
/// payments, the invoices' new states, any <see cref="PaymentConfirmed"/> (through the outbox) and the cursor commit
/// together, so a crash at any point resumes from the last committed block without missing or counting a payment twice.
/// A block hash that differs from the one read at that height is a reorganisation: the payments above the fork point
/// are dropped and those blocks are read again from the new chain.
/// </summary>
public sealed class ChainWatcher(
    IServiceScopeFactory scopes,
    IOptions<Web3Options> options,
    TimeProvider clock,
    ILogger<ChainWatcher> logger) : BackgroundService
{
    public const string PaymentMethod = "crypto";

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(options.Value.Networks.Select(network => Task.Run(() => Watch(network.Key, network.Value, stoppingToken), stoppingToken)));

    private async Task Watch(string name, NetworkOptions network, CancellationToken stoppingToken)
    {
        var client = new ChainClient(network.RpcUrl);
        var failures = 0;
        var chainChecked = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!chainChecked)
                {
                    var chainId = await client.ChainId();
                    if (chainId != network.ChainId)
                    {
                        logger.LogError("Network {Network}: the node at {RpcUrl} reports chain id {ChainId}, configured {Configured}; not watching it", name, network.RpcUrl, chainId, network.ChainId);
                        return;
                    }

                    chainChecked = true;
                    logger.LogInformation("Watching {Network} (chain {ChainId}) at {RpcUrl}, {Confirmations} confirmations", name, chainId, network.RpcUrl, network.Confirmations);
                }

                var behind = await Step(name, network, client, stoppingToken);
                failures = 0;
                if (!behind)
                {
                    await Task.Delay(network.PollInterval, clock, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The node unreachable, a commit that lost a race: nothing was committed; the next step reads again.
                failures++;
                logger.LogWarning(ex, "Watcher step for {Network} failed ({Failures} in a row); retrying", name, failures);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(10_000, network.PollInterval.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 6)))), clock, stoppingToken);
            }
        }
    }

    /// <returns>True when the node has more blocks than this step read.</returns>
    internal async Task<bool> Step(string name, NetworkOptions network, ChainClient client, CancellationToken cancellationToken)
    {
        using var poll = ServiceDefaults.BackgroundPolls.Start($"chain-watcher-{name}");
        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IDocumentSession>();
        var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
        var head = await client.Head();
        var now = clock.GetUtcNow();

        var cursor = await session.LoadAsync<ChainCursor>(name, cancellationToken);
        var dirty = cursor is null;
        cursor ??= new ChainCursor { Id = name, LastBlock = (network.StartBlock ?? head + 1) - 1 };
        var invoices = await session.Query<Invoice>().Where(i => i.Network == name && i.WatchUntil > now).ToListAsync(cancellationToken);
        var changed = new HashSet<Invoice>(ReferenceEqualityComparer.Instance);

        if (cursor.Recent.Count > 0 && await client.HashAt(cursor.Recent[^1].Number) != cursor.Recent[^1].Hash)
        {
            var fork = await ForkPoint(cursor, client);
            foreach (var invoice in invoices)
            {
                var orphaned = invoice.Payments.Where(p => p.BlockNumber > fork).ToList();
                if (orphaned.Count == 0)
                {
                    continue;
                }

                invoice.Payments.RemoveAll(p => p.BlockNumber > fork);
                changed.Add(invoice);
                if (invoice.State == InvoiceState.Settled)
                {
                    // Deeper than the confirmations: the settlement stands (its confirmation is sent) and needs a person.
                    invoice.History.Add(new InvoiceHistoryEntry(InvoiceState.Settled, $"Reorganised after settlement: {orphaned.Count} payment(s) left the chain; review needed.", now, fork));
                    logger.LogError("Invoice {InvoiceId} on {Network}: a reorganisation below block {Fork} removed payments of a settled invoice; raise {Network}'s confirmations", invoice.Id, name, fork, name);
                }
                else
                {
                    logger.LogWarning("Invoice {InvoiceId} on {Network}: {Count} payment(s) left the chain in a reorganisation above block {Fork}", invoice.Id, name, orphaned.Count, fork);
                }
            }

            logger.LogWarning("Reorganisation on {Network}: blocks above {Fork} replaced (last read {LastBlock}); reading them again", name, fork, cursor.LastBlock);
            cursor.Recent.RemoveAll(b => b.Number > fork);
            cursor.LastBlock = fork;
            cursor.Reorganisations++;
            dirty = true;
        }

        var byAddress = invoices.ToDictionary(i => i.AddressKey, StringComparer.Ordinal);
        var contracts = invoices.Where(i => i.TokenContract is not null).Select(i => i.TokenContract!).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var last = Math.Min(head, cursor.LastBlock + network.BatchSize);
        for (var number = cursor.LastBlock + 1; number <= last; number++)
        {
            var block = await client.Block(number);
            if (block is null || (cursor.HashAt(number - 1) is { } parent && parent != block.ParentHash))
            {
                // The chain changed under this step: the next one finds the fork point.
                break;
            }

            var payments = new List<(Invoice Invoice, InvoicePayment Payment)>();
            foreach (var transaction in block.Transactions)
            {
                if (transaction.To is { } to && byAddress.TryGetValue(to.ToLowerInvariant(), out var invoice) && invoice.TokenContract is null
                    && transaction.Value?.Value > 0 && await client.Succeeded(transaction.TransactionHash))
                {
                    payments.Add((invoice, new InvoicePayment(transaction.TransactionHash, -1, number, block.Hash, block.Time, transaction.From, transaction.Value.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))));
                }
            }

            var transfers = await client.TokenTransfers(number, contracts);
            if (transfers.Any(t => t.BlockHash != block.Hash))
            {
                break;
            }

            foreach (var transfer in transfers)
            {
                if (byAddress.TryGetValue(transfer.To, out var invoice) && string.Equals(invoice.TokenContract, transfer.Contract, StringComparison.OrdinalIgnoreCase) && transfer.Value > 0)
                {
                    payments.Add((invoice, new InvoicePayment(transfer.TransactionHash, transfer.LogIndex, number, block.Hash, block.Time, transfer.From, transfer.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))));
                }
            }

            foreach (var (invoice, payment) in payments)
            {
                if (!invoice.Payments.Any(p => p.TransactionHash == payment.TransactionHash && p.LogIndex == payment.LogIndex))
                {
                    invoice.Payments.Add(payment);
                    changed.Add(invoice);
                    logger.LogInformation("Invoice {InvoiceId}: {Amount} {Asset} in {TransactionHash} at block {Block}", invoice.Id, Invoice.Format(Invoice.Units(payment.Amount), invoice.Decimals), invoice.Asset, payment.TransactionHash, number);
                }
            }

            cursor.Recent.Add(new BlockMark(number, block.Hash));
            cursor.LastBlock = number;
            cursor.LastBlockTime = block.Time;
            dirty = true;
        }

        if (cursor.Recent.Count > network.ReorgWindow)
        {
            cursor.Recent.RemoveRange(0, cursor.Recent.Count - network.ReorgWindow);
        }

        // While catching up, the deadline is judged by the chain's time, so a payment in an unread block is not expired early.
        var caughtUp = cursor.LastBlock >= head;
        var judgedAt = caughtUp || cursor.Recent.Count == 0 ? now : cursor.LastBlockTime;
        foreach (var invoice in invoices)
        {
            if (Decide(invoice, cursor.LastBlock, judgedAt, now, name, outbox))
            {
                changed.Add(invoice);
            }
        }

        if (dirty || changed.Count > 0)
        {
            poll.Found();
            session.Store(cursor);
            foreach (var invoice in changed)
            {
                session.Store(invoice);
            }

            await session.SaveChangesAsync(cancellationToken);
        }

        return !caughtUp;
    }

    /// <returns>True when the invoice changed.</returns>
    private bool Decide(Invoice invoice, long head, DateTimeOffset judgedAt, DateTimeOffset now, string network, IOutbox outbox)
    {
        var standing = InvoiceRules.Evaluate(invoice, head, judgedAt, options.Value.UnderpaymentTolerance);
        var received = standing.Received.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var refund = standing.RefundDue.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (standing.State == invoice.State && standing.Resolution == invoice.Resolution && received == invoice.Received && refund == invoice.RefundDue)
        {
            return false;
        }

        if (standing.State != invoice.State)
        {
            invoice.History.Add(new InvoiceHistoryEntry(standing.State, standing.Resolution, now, head));
            logger.LogInformation("Invoice {InvoiceId} on {Network}: {From} → {To} ({Resolution})", invoice.Id, network, invoice.State, standing.State, standing.Resolution);
        }

        invoice.State = standing.State;
        invoice.Resolution = standing.Resolution;
        invoice.Received = received;
        invoice.RefundDue = refund;
        if (standing.State == InvoiceState.Settled && !invoice.ConfirmationPublished)
        {
            invoice.SettledAt = now;
            invoice.SettledAtBlock = head;
            invoice.ConfirmationPublished = true;
            var reference = string.Join(",", invoice.Payments.Where(p => p.BlockTime <= invoice.Deadline).Select(p => p.TransactionHash).Distinct());
            outbox.Publish(
                new PaymentConfirmed(invoice.OrderId, invoice.TenantId, invoice.Id, PaymentMethod, invoice.FiatAmount, invoice.Currency, $"invoice:{invoice.Id};tx:{reference}", now),
                invoice.TenantId,
                invoice.OrderId);
        }

        return true;
    }

    /// <summary>The highest height whose hash the node still has as read; below the window when the reorganisation is deeper.</summary>
    private static async Task<long> ForkPoint(ChainCursor cursor, ChainClient client)
    {
        for (var i = cursor.Recent.Count - 1; i >= 0; i--)
        {
            if (await client.HashAt(cursor.Recent[i].Number) == cursor.Recent[i].Hash)
            {
                return cursor.Recent[i].Number;
            }
        }

        return cursor.Recent[0].Number - 1;
    }
}
