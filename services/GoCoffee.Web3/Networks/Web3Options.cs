namespace GoCoffee.Web3.Networks;

/// <summary>The <c>Web3</c> configuration section: the networks watched, the invoice rules and the exchange rates.</summary>
public sealed class Web3Options
{
    public const string Section = "Web3";

    /// <summary>The networks invoices may be issued on, by name (<c>ethereum</c>, <c>polygon</c>): the names tenants enable.</summary>
    public Dictionary<string, NetworkOptions> Networks { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long an invoice waits for payment (never past the order's own pay-by time).</summary>
    public TimeSpan InvoiceLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The share of the amount due a payment may fall short by and still settle (0.005 = 0.5 %).</summary>
    public decimal UnderpaymentTolerance { get; set; } = 0.005m;

    /// <summary>How long after its expiry an invoice's address is still watched, so a late payment is recorded (PaidLate) and refunded.</summary>
    public TimeSpan LatePaymentWatch { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Price of one unit of each asset (by symbol: ETH, POL, USDC...) in each currency (ISO 4217): <c>Rates:ETH:EUR = 3000</c>.</summary>
    public Dictionary<string, Dictionary<string, decimal>> Rates { get; set; } = new(StringComparer.Ordinal);

    /// <summary>When the configured rates were taken; recorded on every invoice with the rate it used.</summary>
    public DateTimeOffset? RatesAsOf { get; set; }

    /// <returns>Why the options cannot run, or null.</returns>
    public string? Problem()
    {
        if (UnderpaymentTolerance is < 0 or >= 1)
        {
            return "Web3:UnderpaymentTolerance must be a fraction in [0, 1).";
        }

        if (InvoiceLifetime <= TimeSpan.Zero || LatePaymentWatch < TimeSpan.Zero)
        {
            return "Web3:InvoiceLifetime must be positive and Web3:LatePaymentWatch not negative.";
        }

        foreach (var (name, network) in Networks)
        {
            if (network.Problem() is { } problem)
            {
                return $"Web3:Networks:{name}: {problem}";
            }
        }

        return null;
    }
}

/// <summary>One network: its JSON-RPC endpoint, confirmations, native coin and tokens.</summary>
public sealed class NetworkOptions
{
    /// <summary>The node's JSON-RPC endpoint (anvil locally, any Ethereum JSON-RPC provider in production).</summary>
    public string RpcUrl { get; set; } = string.Empty;

    /// <summary>The EIP-155 chain id the node must report (checked when the watcher starts).</summary>
    public long ChainId { get; set; }

    /// <summary>Blocks a payment needs (its own included) before its invoice settles.</summary>
    public int Confirmations { get; set; } = 12;

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The first block to read on a first start; by default the node's head at that moment.</summary>
    public long? StartBlock { get; set; }

    /// <summary>Blocks read per watcher step (one transaction).</summary>
    public int BatchSize { get; set; } = 50;

    /// <summary>How many recent block hashes the watcher keeps to find where a reorganisation forked.</summary>
    public int ReorgWindow { get; set; } = 128;

    public string NativeSymbol { get; set; } = "ETH";

    public int NativeDecimals { get; set; } = 18;

    /// <summary>ERC-20 tokens accepted on this network, by symbol.</summary>
    public Dictionary<string, TokenOptions> Tokens { get; set; } = new(StringComparer.Ordinal);

    public string? Problem()
    {
        if (!Uri.TryCreate(RpcUrl, UriKind.Absolute, out var rpc) || rpc.Scheme is not ("http" or "https"))
        {
            return "RpcUrl must be an http(s) URL.";
        }

        if (ChainId <= 0 || Confirmations < 1 || PollInterval <= TimeSpan.Zero || BatchSize < 1 || ReorgWindow < Confirmations)
        {
            return "ChainId must be positive, Confirmations at least 1, PollInterval positive, BatchSize at least 1 and ReorgWindow at least Confirmations.";
        }

        if (NativeDecimals is < 0 or > 36 || string.IsNullOrWhiteSpace(NativeSymbol))
        {
            return "NativeSymbol is required and NativeDecimals must be within 0..36.";
        }

        foreach (var (symbol, token) in Tokens)
        {
            if (!Nethereum.Util.AddressUtil.Current.IsValidEthereumAddressHexFormat(token.Contract) || token.Decimals is < 0 or > 36)
            {
                return $"Tokens:{symbol}: Contract must be a 0x address and Decimals within 0..36.";
            }
        }

        return null;
    }

    /// <returns>The asset <paramref name="symbol"/> names on this network, or null.</returns>
    public AssetDefinition? Asset(string symbol) =>
        string.Equals(symbol, NativeSymbol, StringComparison.Ordinal) ? new AssetDefinition(NativeSymbol, null, NativeDecimals)
        : Tokens.TryGetValue(symbol, out var token) ? new AssetDefinition(symbol, Nethereum.Util.AddressUtil.Current.ConvertToChecksumAddress(token.Contract), token.Decimals)
        : null;

    public IEnumerable<string> AssetSymbols => [NativeSymbol, .. Tokens.Keys];
}

public sealed class TokenOptions
{
    /// <summary>The token contract's address.</summary>
    public string Contract { get; set; } = string.Empty;

    public int Decimals { get; set; }
}

/// <summary>What an invoice is paid in: the native coin (no contract) or an ERC-20 token.</summary>
public sealed record AssetDefinition(string Symbol, string? Contract, int Decimals);
