using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GoCoffee.ServiceDefaults.Security;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace GoCoffee.Gateway.Callers;

/// <summary><c>Gateway:Jwt</c>: the bearer tokens of platform operators and partner apps, per trusted issuer.</summary>
public sealed class JwtCallerOptions
{
    public const string Section = "Gateway:Jwt";

    /// <summary>The <c>aud</c> tokens must carry, unless an issuer names its own.</summary>
    public string Audience { get; set; } = "gocoffee-api";

    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The trusted issuers by name (<c>Gateway:Jwt:Issuers:&lt;name&gt;</c>): each one's keys sign only its own tokens.</summary>
    public Dictionary<string, JwtIssuerOptions> Issuers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Retired (one key list for every issuer): refused at startup, pointing to <see cref="Issuers"/>.</summary>
    public string? Issuer { get; set; }

    /// <summary>Retired, see <see cref="Issuer"/>.</summary>
    public List<string>? SigningKeys { get; set; }

    /// <summary>Retired, see <see cref="Issuer"/>.</summary>
    public string? Authority { get; set; }

    internal bool UsesDevelopmentKeys { get; set; }

    internal bool RefusedInPod { get; set; }
}

/// <summary>One trusted issuer of bearer tokens: how its tokens are checked, and what they may assert.</summary>
public sealed class JwtIssuerOptions
{
    /// <summary>In <see cref="Tenants"/>: the issuer may name any tenant.</summary>
    public const string AnyTenant = "*";

    /// <summary>The <c>iss</c> of its tokens (default: <see cref="Authority"/>).</summary>
    public string? Issuer { get; set; }

    /// <summary>An OpenID Connect issuer whose published keys sign its tokens.</summary>
    public string? Authority { get; set; }

    /// <summary>HMAC secrets (UTF-8) that sign its tokens: at least as long as the HS algorithm's hash (256 bits for HS256).</summary>
    public List<string> SigningKeys { get; set; } = [];

    /// <summary>Public keys (PEM, RSA of at least 2048 bits or EC P-256/P-384/P-521) that sign its tokens.</summary>
    public List<string> PublicKeys { get; set; } = [];

    /// <summary>The <c>aud</c> its tokens must carry (default: <see cref="JwtCallerOptions.Audience"/>).</summary>
    public string? Audience { get; set; }

    /// <summary>Accepted <c>alg</c> values (default: HS256 with signing keys; RS256, PS256 and ES256 with public keys or an authority).</summary>
    public List<string>? Algorithms { get; set; }

    /// <summary>The scopes its tokens may grant: <c>platform-admin</c> and/or <c>tenant</c>. Required.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>The tenants its <c>tenant</c>-scoped tokens may name (<c>*</c>: any). Required when it may grant <c>tenant</c>.</summary>
    public List<string> Tenants { get; set; } = [];

    internal string? Iss => string.IsNullOrEmpty(Issuer) ? Authority : Issuer;

    internal List<string> EffectiveAlgorithms => Algorithms is { Count: > 0 } configured
        ? configured
        : [
            .. SigningKeys.Count > 0 ? [SecurityAlgorithms.HmacSha256] : Array.Empty<string>(),
            .. PublicKeys.Count > 0 || !string.IsNullOrEmpty(Authority) ? [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256] : Array.Empty<string>(),
        ];
}

/// <summary>What an issuer's token may assert: only the scopes and tenants configured for that issuer.</summary>
internal static class IssuerGrants
{
    public static string? Refusal(string name, JwtIssuerOptions issuer, ClaimsPrincipal principal)
    {
        var scopes = principal.FindAll(InternalClaims.Scope).SelectMany(claim => claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        foreach (var scope in scopes.Where(scope => scope is CallerScope.PlatformAdmin or CallerScope.Tenant).Distinct())
        {
            if (!issuer.Scopes.Contains(scope))
            {
                return $"The bearer token's issuer '{name}' may not grant the '{scope}' scope.";
            }

            if (scope == CallerScope.Tenant
                && principal.FindFirst(InternalClaims.TenantId)?.Value is { } tenantId
                && !issuer.Tenants.Contains(JwtIssuerOptions.AnyTenant)
                && !issuer.Tenants.Contains(tenantId))
            {
                return $"The bearer token's issuer '{name}' may not act for tenant '{tenantId}'.";
            }
        }

        return null;
    }
}

/// <summary>The signing keys of one issuer, and how long a key must be for the algorithms it is accepted with.</summary>
internal static class IssuerKeys
{
    public static readonly string[] Accepted =
    [
        SecurityAlgorithms.HmacSha256, SecurityAlgorithms.HmacSha384, SecurityAlgorithms.HmacSha512,
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    public const int MinimumRsaBits = 2048;

    public static List<SecurityKey> Of(JwtIssuerOptions issuer) =>
    [
        .. issuer.SigningKeys.Where(secret => secret.Length > 0).Select(InternalIdentity.KeyOf),
        .. issuer.PublicKeys.Where(pem => pem.Length > 0).Select(PublicKey),
    ];

    /// <summary>The bits an HMAC secret needs for an HS algorithm (RFC 7518 §3.2: at least the hash's size).</summary>
    public static int HmacBits(string algorithm) => algorithm switch
    {
        SecurityAlgorithms.HmacSha256 => 256,
        SecurityAlgorithms.HmacSha384 => 384,
        SecurityAlgorithms.HmacSha512 => 512,
        _ => 0,
    };

    /// <summary>The ES algorithm an EC key's curve belongs to (RFC 7518 §3.4).</summary>
    public static string? EcdsaAlgorithm(ECDsa key) => key.ExportParameters(false).Curve.Oid?.Value switch
    {
        "1.2.840.10045.3.1.7" => SecurityAlgorithms.EcdsaSha256,
        "1.3.132.0.34" => SecurityAlgorithms.EcdsaSha384,
        "1.3.132.0.35" => SecurityAlgorithms.EcdsaSha512,
        _ => null,
    };

    public static SecurityKey PublicKey(string pem)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
        }

        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
            return new ECDsaSecurityKey(ecdsa);
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            ecdsa.Dispose();
            throw new FormatException("not an RSA or EC public key in PEM form ('-----BEGIN PUBLIC KEY-----')");
        }
    }
}

/// <summary>Refuses at startup an issuer that is incomplete, grants nothing, or has a key too short for its algorithms.</summary>
internal sealed class JwtCallerOptionsValidation : IValidateOptions<JwtCallerOptions>
{
    private static readonly string[] KnownScopes = [CallerScope.PlatformAdmin, CallerScope.Tenant];

    public ValidateOptionsResult Validate(string? name, JwtCallerOptions options)
    {
        const string section = JwtCallerOptions.Section;
        if (options.RefusedInPod)
        {
            return ValidateOptionsResult.Fail(DevelopmentKeys.RefusedInPod("Operator and partner JWTs", $"{section}:Issuers"));
        }

        var failures = new List<string>();
        if (!string.IsNullOrEmpty(options.Issuer) || options.SigningKeys is { Count: > 0 } || !string.IsNullOrEmpty(options.Authority))
        {
            failures.Add($"{section}:Issuer, SigningKeys and Authority are retired: configure each trusted issuer under {section}:Issuers:<name> "
                + "(Issuer, SigningKeys, PublicKeys or Authority, Scopes, Tenants), so that its keys sign only its own tokens.");
        }

        foreach (var (issuerName, issuer) in options.Issuers)
        {
            Check($"{section}:Issuers:{issuerName}", issuer, failures);
        }

        foreach (var shared in options.Issuers.Where(issuer => issuer.Value.Iss is not null).GroupBy(issuer => issuer.Value.Iss, StringComparer.Ordinal).Where(group => group.Count() > 1))
        {
            failures.Add($"{section}:Issuers {string.Join(" and ", shared.Select(issuer => issuer.Key))} have the same issuer '{shared.Key}': each issuer once, with all its keys.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(string at, JwtIssuerOptions issuer, List<string> failures)
    {
        if (issuer.Iss is null)
        {
            failures.Add($"{at}:Issuer is not set: the 'iss' its tokens carry.");
        }

        var secrets = issuer.SigningKeys.Where(secret => secret.Length > 0).ToList();
        var publicKeys = issuer.PublicKeys.Where(pem => pem.Length > 0).ToList();
        if (secrets.Count == 0 && publicKeys.Count == 0 && string.IsNullOrEmpty(issuer.Authority))
        {
            failures.Add($"{at} has no keys: set SigningKeys (HMAC secrets), PublicKeys (PEM) or Authority (OpenID Connect).");
        }

        if (issuer.Scopes.Count == 0 || issuer.Scopes.Except(KnownScopes).Any())
        {
            failures.Add($"{at}:Scopes must list what its tokens may grant: '{CallerScope.PlatformAdmin}' and/or '{CallerScope.Tenant}'.");
        }

        if (issuer.Scopes.Contains(CallerScope.Tenant) && issuer.Tenants.Count == 0)
        {
            failures.Add($"{at}:Tenants must list the tenants its '{CallerScope.Tenant}' tokens may name ('{JwtIssuerOptions.AnyTenant}' for any).");
        }

        var algorithms = issuer.EffectiveAlgorithms;
        foreach (var unknown in algorithms.Except(IssuerKeys.Accepted))
        {
            failures.Add($"{at}:Algorithms: '{unknown}' is not accepted (one of {string.Join(", ", IssuerKeys.Accepted)}).");
        }

        var hmacBits = algorithms.Select(IssuerKeys.HmacBits).DefaultIfEmpty(0).Max();
        for (var i = 0; i < issuer.SigningKeys.Count; i++)
        {
            var bits = Encoding.UTF8.GetByteCount(issuer.SigningKeys[i]) * 8;
            if (hmacBits == 0)
            {
                failures.Add($"{at}:SigningKeys:{i}: an HMAC secret needs an HS algorithm in {at}:Algorithms.");
            }
            else if (bits < hmacBits)
            {
                failures.Add($"{at}:SigningKeys:{i} is {bits} bits; {string.Join("/", algorithms.Where(a => IssuerKeys.HmacBits(a) > 0))} needs a secret of at least {hmacBits} bits ({hmacBits / 8} bytes).");
            }
        }

        for (var i = 0; i < issuer.PublicKeys.Count; i++)
        {
            SecurityKey key;
            try
            {
                key = IssuerKeys.PublicKey(issuer.PublicKeys[i]);
            }
            catch (FormatException invalid)
            {
                failures.Add($"{at}:PublicKeys:{i} is {invalid.Message}.");
                continue;
            }

            switch (key)
            {
                case RsaSecurityKey rsa when rsa.Rsa.KeySize < IssuerKeys.MinimumRsaBits:
                    failures.Add($"{at}:PublicKeys:{i} is a {rsa.Rsa.KeySize}-bit RSA key; RS/PS algorithms need at least {IssuerKeys.MinimumRsaBits} bits.");
                    break;
                case RsaSecurityKey when !algorithms.Any(a => a.StartsWith("RS", StringComparison.Ordinal) || a.StartsWith("PS", StringComparison.Ordinal)):
                    failures.Add($"{at}:PublicKeys:{i} is an RSA key, but {at}:Algorithms has no RS or PS algorithm.");
                    break;
                case ECDsaSecurityKey ec when IssuerKeys.EcdsaAlgorithm(ec.ECDsa) is null:
                    failures.Add($"{at}:PublicKeys:{i} is an EC key on a curve JWTs do not use (P-256, P-384 or P-521).");
                    break;
                case ECDsaSecurityKey ec when !algorithms.Contains(IssuerKeys.EcdsaAlgorithm(ec.ECDsa)!):
                    failures.Add($"{at}:PublicKeys:{i} is a {ec.ECDsa.KeySize}-bit EC key, usable only with {IssuerKeys.EcdsaAlgorithm(ec.ECDsa)}, which {at}:Algorithms does not list.");
                    break;
            }
        }
    }
}

/// <summary>Which JWT bearer scheme a request's token goes to: the one of the issuer its (not yet verified) <c>iss</c> names.</summary>
internal sealed class BearerIssuers
{
    private const int MaxPayloadChars = 16 * 1024;

    private readonly Dictionary<string, string> _schemeOfIssuer = new(StringComparer.Ordinal);
    private readonly string? _first;

    public BearerIssuers(IOptions<JwtCallerOptions> options)
    {
        foreach (var (name, issuer) in options.Value.Issuers)
        {
            _first ??= CallerAuthentication.SchemeOf(name);
            if (issuer.Iss is { } iss)
            {
                _schemeOfIssuer.TryAdd(iss, CallerAuthentication.SchemeOf(name));
            }
        }
    }

    /// <summary>
    /// The scheme of the token's issuer; for no token or an unknown issuer, the first issuer's (which refuses it and
    /// challenges); null when no issuer is trusted at all (the API-key scheme answers alone).
    /// </summary>
    public string? SchemeFor(HttpRequest request)
    {
        if (_first is null)
        {
            return null;
        }

        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return _first;
        }

        return UnverifiedIssuer(authorization.AsSpan("Bearer ".Length).Trim()) is { } iss && _schemeOfIssuer.TryGetValue(iss, out var scheme) ? scheme : _first;
    }

    /// <summary>The <c>iss</c> of a compact JWT's payload, unverified: it only chooses whose keys verify the token.</summary>
    internal static string? UnverifiedIssuer(ReadOnlySpan<char> token)
    {
        var first = token.IndexOf('.');
        if (first < 0)
        {
            return null;
        }

        var rest = token[(first + 1)..];
        var second = rest.IndexOf('.');
        if (second < 0 || second > MaxPayloadChars)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(Base64Url.DecodeFromChars(rest[..second]));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isIssuer = reader.ValueTextEquals("iss"u8);
                if (!reader.Read())
                {
                    return null;
                }

                if (isIssuer)
                {
                    return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }

                reader.Skip();
            }
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
        }

        return null;
    }
}
