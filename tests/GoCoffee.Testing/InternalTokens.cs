using GoCoffee.ServiceDefaults.Security;

namespace GoCoffee.Testing;

/// <summary>
/// Internal tokens as a gateway with development keys mints them (ES256 with the published development private key):
/// what tests send when they call a service directly, as the gateway would.
/// </summary>
public static class InternalTokens
{
    public static InternalTokenIssuer Development { get; } = InternalTokenIssuer.Create(DevelopmentKeys.InternalTokenPrivateKey);

    /// <summary>A token for <paramref name="caller"/> that only service <paramref name="audience"/> accepts.</summary>
    public static string For(InternalCaller caller, string audience) => Development.Mint(caller, audience);
}
