using System.Globalization;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using GoCoffee.Testing;

namespace GoCoffee.EndToEnd.Tests.Platform;

/// <summary>
/// The run's anvil node (started by the app host) over plain JSON-RPC: a customer's wallet (anvil's first development
/// account, unlocked on the node, funded with 10 000 ETH) sends a payment; <c>anvil_mine</c> adds confirmations.
/// </summary>
public sealed class AnvilChain(PlatformFixture platform)
{
    /// <summary>anvil's first development account (mnemonic "test test ... junk").</summary>
    public const string Customer = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

    public async Task<long> Head() => Quantity(await Call("eth_blockNumber"));

    /// <summary>Sends <paramref name="wei"/> from the customer to <paramref name="to"/>; returns the block it was mined in.</summary>
    public async Task<(string Hash, long Block)> Pay(string to, BigInteger wei)
    {
        var hash = (await Call("eth_sendTransaction", new { from = Customer, to, value = Hex(wei), gas = Hex(21_000) })).GetString()!;
        var receipt = await TestInfrastructure.Eventually<JsonElement?>(
            async () => await Call("eth_getTransactionReceipt", hash) is { ValueKind: JsonValueKind.Object } r ? r : null,
            TimeSpan.FromSeconds(30),
            $"transaction {hash} is mined");
        if (Quantity(receipt!.Value.GetProperty("status")) != 1)
        {
            throw new InvalidOperationException($"Payment {hash} reverted.");
        }

        return (hash, Quantity(receipt.Value.GetProperty("blockNumber")));
    }

    /// <summary>Mines <paramref name="blocks"/> blocks at once.</summary>
    public Task Mine(int blocks) => Call("anvil_mine", Hex(blocks));

    private async Task<JsonElement> Call(string method, params object[] parameters)
    {
        using var response = await platform.Http.PostAsJsonAsync(platform.AnvilRpcUrl, new { jsonrpc = "2.0", id = 1, method, @params = parameters });
        response.EnsureSuccessStatusCode();
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        return answer.TryGetProperty("error", out var error)
            ? throw new InvalidOperationException($"{method} failed: {error}")
            : answer.GetProperty("result").Clone();
    }

    /// <summary>A JSON-RPC quantity: 0x-prefixed hex without leading zeros.</summary>
    private static string Hex(BigInteger value) => value.IsZero ? "0x0" : "0x" + value.ToString("x", CultureInfo.InvariantCulture).TrimStart('0');

    private static long Quantity(JsonElement hex) => long.Parse(hex.GetString()![2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
