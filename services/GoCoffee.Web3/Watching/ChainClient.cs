using System.Numerics;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;

namespace GoCoffee.Web3.Watching;

/// <summary>A block as the watcher needs it: its identity and the transfers in it.</summary>
public sealed record ChainBlock(long Number, string Hash, string ParentHash, DateTimeOffset Time, IReadOnlyList<Transaction> Transactions);

/// <summary>A token <c>Transfer(from, to, value)</c> log.</summary>
public sealed record TokenTransfer(string Contract, string From, string To, BigInteger Value, string TransactionHash, int LogIndex, string BlockHash);

/// <summary>The JSON-RPC calls the watcher makes, over Nethereum, against one network's node.</summary>
public sealed class ChainClient(string rpcUrl)
{
    /// <summary>keccak256("Transfer(address,address,uint256)").</summary>
    public const string TransferTopic = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";

    private readonly Nethereum.Web3.Web3 _web3 = new(rpcUrl);

    public async Task<long> ChainId() => (long)(await _web3.Eth.ChainId.SendRequestAsync()).Value;

    public async Task<long> Head() => (long)(await _web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;

    /// <returns>The block's hash at <paramref name="number"/>, or null when the chain is not that long (any more).</returns>
    public async Task<string?> HashAt(long number) =>
        (await _web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new HexBigInteger(number)))?.BlockHash;

    public async Task<ChainBlock?> Block(long number)
    {
        var block = await _web3.Eth.Blocks.GetBlockWithTransactionsByNumber.SendRequestAsync(new HexBigInteger(number));
        return block is null
            ? null
            : new ChainBlock(number, block.BlockHash, block.ParentHash, DateTimeOffset.FromUnixTimeSeconds((long)block.Timestamp.Value), block.Transactions ?? []);
    }

    /// <returns>Whether the transaction executed (a reverted one moved no coin).</returns>
    public async Task<bool> Succeeded(string transactionHash)
    {
        var receipt = await _web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(transactionHash);
        return receipt?.Status?.Value == BigInteger.One;
    }

    /// <summary>The <c>Transfer</c> logs of <paramref name="contracts"/> in one block.</summary>
    public async Task<IReadOnlyList<TokenTransfer>> TokenTransfers(long number, IReadOnlyCollection<string> contracts)
    {
        if (contracts.Count == 0)
        {
            return [];
        }

        var block = new BlockParameter(new HexBigInteger(number));
        var logs = await _web3.Eth.Filters.GetLogs.SendRequestAsync(new NewFilterInput
        {
            FromBlock = block,
            ToBlock = block,
            Address = [.. contracts],
            Topics = [TransferTopic],
        });
        var transfers = new List<TokenTransfer>();
        foreach (var log in logs ?? [])
        {
            // Transfer has two indexed addresses; anything else with this topic (ERC-721's indexed tokenId) is not a payment.
            if (log.Removed || log.Topics is not { Length: 3 } topics || log.Data is null)
            {
                continue;
            }

            var data = log.Data.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? log.Data[2..] : log.Data;
            if (data.Length != 64)
            {
                continue;
            }

            transfers.Add(new TokenTransfer(
                log.Address,
                TopicAddress(topics[1]),
                TopicAddress(topics[2]),
                BigInteger.Parse("0" + data, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture),
                log.TransactionHash,
                (int)log.LogIndex.Value,
                log.BlockHash));
        }

        return transfers;
    }

    private static string TopicAddress(object topic)
    {
        var text = topic.ToString() ?? string.Empty;
        return "0x" + text[^40..].ToLowerInvariant();
    }
}
