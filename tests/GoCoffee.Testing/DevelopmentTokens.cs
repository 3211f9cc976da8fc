using System.Text;
using GoCoffee.ServiceDefaults.Security;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GoCoffee.Testing;

/// <summary>
/// Bearer tokens as an operator or a partner app presents them to the gateway, signed with the published development key
/// (what <c>scripts/dev-token.sh</c> mints), plus the broken ones the gateway must refuse.
/// </summary>
public static class DevelopmentTokens
{
    public static string PlatformAdmin(string subject = "test-operator") =>
        Jwt(new Dictionary<string, object> { ["sub"] = subject, ["scope"] = CallerScope.PlatformAdmin });

    public static string ForTenant(string tenantId, string subject = "test-partner-app") =>
        Jwt(new Dictionary<string, object> { ["sub"] = subject, ["scope"] = CallerScope.Tenant, ["tenant_id"] = tenantId });

    /// <summary>A JWT with the given claims; by default valid for 10 minutes, from the development issuer to the development audience.</summary>
    public static string Jwt(
        IDictionary<string, object> claims,
        string signingKey = DevelopmentKeys.JwtSigningKey,
        string issuer = DevelopmentKeys.JwtIssuer,
        string audience = DevelopmentKeys.JwtAudience,
        DateTimeOffset? issuedAt = null,
        TimeSpan? lifetime = null,
        string algorithm = SecurityAlgorithms.HmacSha256)
    {
        var at = issuedAt ?? DateTimeOffset.UtcNow;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = at.UtcDateTime,
            NotBefore = at.UtcDateTime,
            Expires = (at + (lifetime ?? TimeSpan.FromMinutes(10))).UtcDateTime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), algorithm),
        });
    }

    /// <summary>An unsigned token (<c>"alg": "none"</c>) that claims platform-admin: the classic forgery.</summary>
    public static string WithoutSignature(string scope = CallerScope.PlatformAdmin, string? tenantId = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var payload = $"{{\"sub\":\"forger\",\"scope\":\"{scope}\",{(tenantId is null ? string.Empty : $"\"tenant_id\":\"{tenantId}\",")}\"iss\":\"{DevelopmentKeys.JwtIssuer}\",\"aud\":\"{DevelopmentKeys.JwtAudience}\",\"iat\":{now},\"nbf\":{now},\"exp\":{now + 600}}}";
        return $"{Base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{Base64Url(payload)}.";
    }

    private static string Base64Url(string text) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(text));
}
