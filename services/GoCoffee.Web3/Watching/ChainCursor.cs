namespace GoCoffee.Web3.Watching;

/// <summary>
/// How far the watcher has read one network: the last block processed and the hashes of the recent blocks, which is
/// how a reorganisation is recognised (the node names another hash at a height seen before). Committed in the same
/// transaction as the invoice changes those blocks caused, so a restart resumes exactly where the last commit ended.
/// </summary>
public sealed class ChainCursor
{
    /// <summary>The network's name.</summary>
    public string Id { get; set; } = string.Empty;

    public long LastBlock { get; set; }

    public DateTimeOffset LastBlockTime { get; set; }

    /// <summary>The recent blocks read, oldest first (at most the network's reorganisation window).</summary>
    public List<BlockMark> Recent { get; set; } = [];

    public long Reorganisations { get; set; }

    public string? HashAt(long number) => Recent.FirstOrDefault(b => b.Number == number)?.Hash;
}

public sealed record BlockMark(long Number, string Hash);
