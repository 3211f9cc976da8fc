namespace GoCoffee.Web3.Wallets;

/// <summary>
/// A tenant's wallet on one network: the extended public key deposit addresses are derived from, and the next unused
/// index. Updated with optimistic concurrency, so two invoices issued at once never share an index.
/// </summary>
public sealed class TenantWallet
{
    /// <summary><c>&lt;tenant&gt;/&lt;network&gt;</c>.</summary>
    public string Id { get; set; } = string.Empty;

    public string TenantId { get; set; } = string.Empty;

    public string Network { get; set; } = string.Empty;

    public string ExtendedPublicKey { get; set; } = string.Empty;

    public int NextIndex { get; set; }

    /// <summary>Every key this wallet held with its next index, so a key registered again never reuses an address.</summary>
    public Dictionary<string, int> NextIndexByKey { get; set; } = new(StringComparer.Ordinal);

    public DateTimeOffset RegisteredAt { get; set; }

    public static string IdFor(string tenantId, string network) => $"{tenantId}/{network}";
}
