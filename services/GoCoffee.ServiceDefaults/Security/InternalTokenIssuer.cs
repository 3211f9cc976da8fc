using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GoCoffee.ServiceDefaults.Security;

/// <summary>
/// Mints the internal token for a caller. A token is reused until half its lifetime is gone, so signing is not on the
/// hot path of every forwarded request.
/// </summary>
public sealed class InternalTokenIssuer
{
    private const int MaxCachedCallers = 10_000;

    private readonly InternalTokenOptions _options;
    private readonly SigningCredentials _credentials;
    private readonly TimeProvider _clock;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly ConcurrentDictionary<InternalCaller, Minted> _minted = new();

    public InternalTokenIssuer(IOptions<InternalTokenOptions> options, TimeProvider clock)
    {
        _options = options.Value;
        _clock = clock;
        _credentials = new SigningCredentials(InternalIdentity.KeyOf(_options.SigningKey!), SecurityAlgorithms.HmacSha256);
    }

    /// <summary>For tools and tests that are not a host: the same tokens from options built by hand.</summary>
    public static InternalTokenIssuer Create(InternalTokenOptions options, TimeProvider? clock = null) =>
        new(Options.Create(options), clock ?? TimeProvider.System);

    public string Mint(InternalCaller caller)
    {
        var now = _clock.GetUtcNow();
        if (_minted.TryGetValue(caller, out var minted) && minted.RenewAfter > now)
        {
            return minted.Token;
        }

        var token = Create(caller, now, _options.Lifetime);
        if (_minted.Count >= MaxCachedCallers)
        {
            _minted.Clear();
        }

        _minted[caller] = new Minted(token, now + (_options.Lifetime / 2));
        return token;
    }

    /// <summary>A token with the given lifetime, never cached (tests use it for already-expired tokens).</summary>
    public string Create(InternalCaller caller, DateTimeOffset issuedAt, TimeSpan lifetime)
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
            Audience = _options.Audience,
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.UtcDateTime,
            Expires = (issuedAt + lifetime).UtcDateTime,
            Claims = claims,
            SigningCredentials = _credentials,
        });
    }

    private sealed record Minted(string Token, DateTimeOffset RenewAfter);
}
