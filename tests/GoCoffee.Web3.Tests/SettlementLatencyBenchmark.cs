using System.Diagnostics;
using System.Numerics;
using GoCoffee.Testing;
using Xunit.Abstractions;

namespace GoCoffee.Web3.Tests;

/// <summary>anvil mining a block every second, as a real chain does on its own schedule.</summary>
public sealed class TimedBlocksPlatform : Web3Platform
{
    protected override double? BlockTimeSeconds => 1;
}

/// <summary>
/// The crypto benchmark (bench/GoCoffee.Bench.Web3 runs it): how long after the block that gives a payment its last
/// required confirmation the invoice is Settled. The claim: within one block interval.
/// </summary>
[Trait("Category", "Benchmark")]
public sealed class SettlementLatencyBenchmark(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Invoices = 10;

    private readonly TimedBlocksPlatform _platform = new();

    public Task InitializeAsync() => _platform.InitializeAsync();

    public Task DisposeAsync() => _platform.DisposeAsync();

    [Fact]
    public async Task Invoice_settles_within_one_block_interval_after_its_last_required_confirmation()
    {
        var (tenantId, client) = await _platform.Tenant();
        var latencies = new List<double>();
        for (var i = 0; i < Invoices; i++)
        {
            var invoice = await _platform.Issue(client, tenantId, await _platform.OrderAwaitingPayment(tenantId, 4.50m));
            var receipt = await _platform.Node.Pay(invoice.Address, BigInteger.Parse(invoice.AmountDueBaseUnits, System.Globalization.CultureInfo.InvariantCulture));
            var confirmingBlock = (long)receipt.BlockNumber.Value + Web3Platform.Confirmations - 1;

            // The moment the node has the confirming block, seen by polling it every 5 ms (the measurement's resolution).
            while (await _platform.Node.Head() < confirmingBlock)
            {
                await Task.Delay(5);
            }

            var minedAt = DateTimeOffset.UtcNow;
            var settled = await _platform.WaitFor(client, tenantId, invoice.Id, "Settled");
            latencies.Add(Math.Max(0, (settled.SettledAt!.Value - minedAt).TotalMilliseconds));
        }

        latencies.Sort();
        var summary = $"settlement after the last required confirmation ({Invoices} invoices, {Web3Platform.Confirmations} confirmations, 1 s blocks, 100 ms poll): " +
                      $"min {latencies[0]:F0} ms, median {latencies[latencies.Count / 2]:F0} ms, max {latencies[^1]:F0} ms";
        output.WriteLine(summary);
        Console.WriteLine(summary);
        Assert.All(latencies, latency => Assert.True(latency < 1000, summary));
    }
}
