using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GoCoffee.ServiceDefaults.Security;

/// <summary>
/// Validates internal tokens, each one fully only once: the gateway reuses a token for half its lifetime, and a P-256
/// signature check costs tens of microseconds of CPU, several times an HMAC check. A token whose exact text has passed
/// (signature, issuer, audience, algorithm: this handler serves one scheme, whose parameters JwtBearer clones per
/// request from the same options) keeps passing while it is within its lifetime
/// (checked on every request, with the same clock skew); its identity is cloned for each request.
/// </summary>
internal sealed class VerifiedInternalTokens(TimeProvider clock) : JsonWebTokenHandler
{
    private const int MaxRemembered = 10_000;

    private readonly ConcurrentDictionary<string, Verified> _verified = new(StringComparer.Ordinal);
    private long _fullValidations;

    /// <summary>How many tokens were validated in full, signature included (the others were remembered).</summary>
    public long FullValidations => Interlocked.Read(ref _fullValidations);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (_verified.TryGetValue(token, out var verified))
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var skew = validationParameters.ClockSkew;
            if (now + skew >= verified.Token.ValidFrom && now - skew <= verified.Token.ValidTo)
            {
                return new TokenValidationResult
                {
                    IsValid = true,
                    SecurityToken = verified.Token,
                    ClaimsIdentity = verified.Identity.Clone(),
                    Issuer = verified.Token.Issuer,
                    TokenType = verified.Token.Typ,
                };
            }
        }

        Interlocked.Increment(ref _fullValidations);
        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is JsonWebToken validated)
        {
            if (_verified.Count >= MaxRemembered)
            {
                _verified.Clear();
            }

            _verified[token] = new Verified(validated, result.ClaimsIdentity.Clone());
        }

        return result;
    }

    private sealed record Verified(JsonWebToken Token, ClaimsIdentity Identity);
}
