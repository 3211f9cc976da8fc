using System.Security.Cryptography;
using System.Text;
using GoCoffee.Contracts.Tenants;

namespace GoCoffee.Tenant.ApiKeys;

public enum ApiKeyStatus
{
    /// <summary>Issued with the tenant; starts working when the tenant becomes active.</summary>
    Pending,
    Active,
    Revoked,
}

/// <summary>
/// A tenant API key as stored: only its SHA-256 hash (keys carry 256 random bits, so a fast hash is enough; there is
/// nothing to brute-force) and a short prefix for people to recognise it. The plain key is shown once, at issue.
/// </summary>
public sealed class ApiKey
{
    public const string TenantScope = "tenant";

    public string Id { get; set; } = string.Empty;

    public string TenantId { get; set; } = string.Empty;

    public string Hash { get; set; } = string.Empty;

    public string Prefix { get; set; } = string.Empty;

    public List<string> Scopes { get; set; } = [TenantScope];

    public ApiKeyStatus Status { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public static (ApiKey Key, string PlainKey) Issue(string tenantId, ApiKeyStatus status, DateTimeOffset now)
    {
        var id = $"key_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var plain = $"gck_{id[4..]}_{secret}";
        var key = new ApiKey
        {
            Id = id,
            TenantId = tenantId,
            Hash = HashOf(plain),
            Prefix = plain[..12],
            Status = status,
            CreatedAt = now,
        };
        return (key, plain);
    }

    /// <summary>The same function the gateway applies to a presented key.</summary>
    public static string HashOf(string plainKey) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(plainKey)));

    public ApiKeyIssued Issued() => new(TenantId, Id, Hash, Scopes, CreatedAt, ExpiresAt);

    public void Revoke(DateTimeOffset now)
    {
        Status = ApiKeyStatus.Revoked;
        RevokedAt = now;
    }
}
