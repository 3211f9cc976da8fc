using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GoCoffee.ServiceDefaults.Security;

/// <summary>
/// Mints the internal token for a caller and the service it is forwarded to (the token's audience), signed with the
/// gateway's private key (ES256). A token is reused until half its lifetime is gone, so signing (tens of microseconds)
/// is not on the hot path of every forwarded request. Only the gateway registers it (<c>AddInternalTokenIssuer</c>).
/// </summary>
public sealed class InternalTokenIssuer
{
    private const int MaxCachedCallers = 10_000;

    private readonly InternalTokenOptions _options;
    private readonly SigningCredentials _credentials;
    private readonly TimeProvider _clock;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly ConcurrentDictionary<(InternalCaller Caller, string Audience), Minted> _minted = new();

    public InternalTokenIssuer(IOptions<InternalTokenOptions> options, InternalTokenKeys keys, TimeProvider clock)
    {
        _options = options.Value;
        _clock = clock;
        _credentials = new SigningCredentials(
            keys.Signing ?? throw new InvalidOperationException($"{InternalTokenOptions.Section}:SigningKey is not set: this process cannot mint internal tokens."),
            InternalTokenKeys.Algorithm);
    }

    /// <summary>For tools and tests that are not a host: the same tokens from a private key (PEM) given by hand.</summary>
    public static InternalTokenIssuer Create(string signingKeyPem, TimeProvider? clock = null, InternalTokenOptions? options = null)
    {
        options ??= new InternalTokenOptions();
        options.SigningKey = signingKeyPem;
        return new(Options.Create(options), new InternalTokenKeys(options), clock ?? TimeProvider.System);
    }

    /// <summary>The token that tells service <paramref name="audience"/> (its name, e.g. <c>tenant</c>) who the caller is.</summary>
    public string Mint(InternalCaller caller, string audience)
    {
        var now = _clock.GetUtcNow();
        if (_minted.TryGetValue((caller, audience), out var minted) && minted.RenewAfter > now)
        {
            return minted.Token;
        }

        var token = Create(caller, audience, now, _options.Lifetime);
        if (_minted.Count >= MaxCachedCallers)
        {
            _minted.Clear();
        }

        _minted[(caller, audience)] = new Minted(token, now + (_options.Lifetime / 2));
        return token;
    }

    /// <summary>A token with the given lifetime, never cached (tests use it for already-expired tokens).</summary>
    public string Create(InternalCaller caller, string audience, DateTimeOffset issuedAt, TimeSpan lifetime)
    {
        var claims = new Dictionary<string, object>
        {
            [InternalClaims.Subject] = caller.Actor,
            [InternalClaims.Scope] = caller.Scope,
        };
        if (caller.TenantId is not null)
        {
            claims[InternalClaims.TenantId] = caller.TenantId;
        }

        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = audience,
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.UtcDateTime,
            Expires = (issuedAt + lifetime).UtcDateTime,
            Claims = claims,
            SigningCredentials = _credentials,
        });
    }

    private sealed record Minted(string Token, DateTimeOffset RenewAfter);
}
