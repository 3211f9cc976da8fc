using GoCoffee.Web3.Invoices;
using GoCoffee.Web3.Wallets;

namespace GoCoffee.Web3.Tests;

public sealed class DepositAddressTests
{
    [Fact]
    public void Deposit_addresses_match_the_well_known_BIP44_vectors_of_the_test_mnemonic_with_EIP55_checksums()
    {
        // MetaMask, Ledger and every BIP-44 wallet give these for "abandon ×11 about" at m/44'/60'/0'/0/0 and /1.
        var key = ExtendedPublicKeys.Parse(Web3Platform.AccountXpub(), out var error);
        Assert.Null(error);
        Assert.Equal("0x9858EfFD232B4033E47d90003D41EC34EcaEda94", ExtendedPublicKeys.DepositAddress(key!, 0));
        Assert.Equal("0x6Fac4D18c912343BF86fa7049364Dd4E424Ab9C0", ExtendedPublicKeys.DepositAddress(key!, 1));
    }

    [Theory]
    [InlineData(4.50, 3000, 18, "1500000000000000")]
    [InlineData(9.00, 0.9, 6, "10000000")]
    [InlineData(1.00, 3, 18, "333333340000000000")]
    public void Amounts_are_converted_at_the_rate_and_rounded_up_never_short(decimal fiat, decimal rate, int decimals, string expected) =>
        Assert.Equal(expected, InvoicesApi.Quote(fiat, rate, decimals)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
