using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using GoCoffee.Gateway.Tenancy;
using GoCoffee.ServiceDefaults.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace GoCoffee.Gateway.Callers;

/// <summary>
/// Tenant API keys (<c>X-Api-Key: gck_…</c>, or <c>Authorization: Bearer gck_…</c>), checked against the key hashes the
/// gateway learned from the tenant service's events: no call to the tenant service per request, and a revoked key stops
/// working as soon as its <c>ApiKeyRevoked</c> arrives.
/// </summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TenantDirectory directory,
    TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";
    public const string KeyPrefix = "gck_";
    private const string BearerKeyPrefix = "Bearer " + KeyPrefix;

    /// <summary>Whether the request presents an API key (rather than a JWT).</summary>
    public static bool Presented(HttpRequest request) =>
        request.Headers.ContainsKey(Header)
        || request.Headers.Authorization.ToString().StartsWith(BearerKeyPrefix, StringComparison.Ordinal);

    /// <summary>The hash the tenant service stores and publishes: lower-case hex SHA-256 of the key's UTF-8 bytes.</summary>
    public static string HashOf(string plainKey)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(plainKey), hash);
        return Convert.ToHexStringLower(hash);
    }

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Request.Headers.TryGetValue(Header, out var header)
            ? header.ToString()
            : Request.Headers.Authorization.ToString() is { } authorization && authorization.StartsWith(BearerKeyPrefix, StringComparison.Ordinal)
                ? authorization["Bearer ".Length..]
                : null;
        if (string.IsNullOrEmpty(presented))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var key = presented.Length <= 256 ? directory.FindKey(HashOf(presented.Trim())) : null;
        if (key is null)
        {
            return Task.FromResult(Refuse("The API key is not valid: unknown, revoked, or its tenant is not active yet."));
        }

        if (key.ExpiresAt is { } expires && expires <= clock.GetUtcNow())
        {
            return Task.FromResult(Refuse("The API key has expired."));
        }

        GatewayCaller.Set(Context, key.Caller);
        var identity = new ClaimsIdentity(
            [
                new Claim(InternalClaims.Subject, key.Caller.Actor),
                new Claim(InternalClaims.Scope, CallerScope.Tenant),
                new Claim(InternalClaims.TenantId, key.TenantId),
            ],
            SchemeName,
            InternalClaims.Subject,
            InternalClaims.Scope);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{Header}\"";
        Context.Items.TryAdd(InternalIdentity.FailureItem, $"Send a tenant API key ({Header} header).");
        return Task.CompletedTask;
    }

    private AuthenticateResult Refuse(string why)
    {
        Context.Items[InternalIdentity.FailureItem] = why;
        return AuthenticateResult.Fail(why);
    }
}
