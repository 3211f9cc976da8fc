using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GoCoffee.ServiceDefaults.Security;

/// <summary>
/// Validates internal tokens, checking each one's ES256 signature once: the gateway reuses a token for half its
/// lifetime, and a P-256 verification costs tens of microseconds of CPU, several times an HMAC check. A token whose exact
/// text has already passed keeps passing the signature check until it expires; issuer, audience and lifetime are still
/// checked on every request.
/// </summary>
internal sealed class VerifiedInternalTokens(TimeProvider clock) : JsonWebTokenHandler
{
    private const int MaxRemembered = 10_000;

    private readonly ConcurrentDictionary<string, DateTime> _verified = new(StringComparer.Ordinal);
    private (TokenValidationParameters Source, TokenValidationParameters SignatureChecked)? _skipSignature;

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (_verified.TryGetValue(token, out var expires) && expires > clock.GetUtcNow().UtcDateTime)
        {
            return await base.ValidateTokenAsync(token, SignatureChecked(validationParameters));
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is JsonWebToken validated)
        {
            if (_verified.Count >= MaxRemembered)
            {
                _verified.Clear();
            }

            _verified[token] = validated.ValidTo;
        }

        return result;
    }

    /// <summary>The same parameters, but the signature is known to be good (JwtBearer passes the same instance on every request).</summary>
    private TokenValidationParameters SignatureChecked(TokenValidationParameters source)
    {
        if (_skipSignature is { } cached && ReferenceEquals(cached.Source, source))
        {
            return cached.SignatureChecked;
        }

        var parameters = source.Clone();
        parameters.SignatureValidator = (token, _) => new JsonWebToken(token);
        _skipSignature = (source, parameters);
        return parameters;
    }
}
