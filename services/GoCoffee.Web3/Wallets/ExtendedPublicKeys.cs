using NBitcoin;
using Nethereum.Util;

namespace GoCoffee.Web3.Wallets;

/// <summary>
/// A tenant's account-level extended public key (BIP-32, at BIP-44's <c>m/44'/60'/0'</c>) and the deposit addresses
/// derived from it: <c>&lt;account&gt;/0/&lt;index&gt;</c>, the external chain, one index per invoice. Only public
/// derivation is possible from it, so the service can create addresses but never spend from them.
/// </summary>
public static class ExtendedPublicKeys
{
    /// <summary>The depth of an account-level key: purpose, coin type and account below the master key.</summary>
    public const int AccountDepth = 3;

    public const int MaxLength = 120;

    private static readonly Network[] Networks = [Network.Main, Network.TestNet];

    /// <returns>The parsed key, or null with <paramref name="error"/> saying which rule the text breaks.</returns>
    public static ExtPubKey? Parse(string? text, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "is required: the wallet's account-level extended public key (xpub), e.g. exported for m/44'/60'/0'.";
            return null;
        }

        if (text.Length > MaxLength || text.Any(c => !char.IsAsciiLetterOrDigit(c)))
        {
            error = $"must be a Base58Check extended public key (xpub...) of at most {MaxLength} characters.";
            return null;
        }

        foreach (var network in Networks)
        {
            if (TryParse(() => _ = new BitcoinExtKey(text, network)))
            {
                error = "is an extended PRIVATE key: register the account's extended public key (xpub) only; this service never holds a private key.";
                return null;
            }
        }

        foreach (var network in Networks)
        {
            BitcoinExtPubKey? parsed = null;
            if (TryParse(() => parsed = new BitcoinExtPubKey(text, network)) && parsed is not null)
            {
                var key = parsed.ExtPubKey;
                if (key.Depth != AccountDepth)
                {
                    error = $"is a key at depth {key.Depth}; register the account-level key (depth {AccountDepth}, m/44'/60'/0'), from which addresses are derived at /0/<index>.";
                    return null;
                }

                return key;
            }
        }

        error = "is not a valid extended public key (Base58Check xpub or tpub with a correct checksum).";
        return null;
    }

    /// <summary>The EIP-55 checksummed address at <c>/0/&lt;index&gt;</c> below the account key.</summary>
    public static string DepositAddress(ExtPubKey account, int index)
    {
        var publicKey = account.Derive(0).Derive((uint)index).PubKey.Decompress().ToBytes();

        // An Ethereum address: the last 20 bytes of Keccak-256 over the uncompressed key without its 0x04 prefix.
        var hash = Sha3Keccack.Current.CalculateHash(publicKey[1..]);
        return AddressUtil.Current.ConvertToChecksumAddress(Convert.ToHexString(hash[^20..]));
    }

    public static string DerivationPath(int index) => $"m/44'/60'/0'/0/{index}";

    private static bool TryParse(Action parse)
    {
        try
        {
            parse();
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
