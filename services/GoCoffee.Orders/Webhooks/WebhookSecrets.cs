using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace GoCoffee.Orders.Webhooks;

/// <summary>
/// Tenants' webhook signing secrets at rest: the service must sign with them, so they cannot be hashed; they are kept
/// sealed with AES-256-GCM under <see cref="WebhookOptions.SecretKey"/> (which lives outside the database: a Kubernetes
/// Secret, the app host's generated parameter; the AES key is derived from it with HKDF-SHA256), with the tenant id as
/// associated data, so a sealed secret copied to another tenant's row does not open. Format:
/// <c>v1.&lt;base64 nonce|ciphertext|tag&gt;</c>.
/// </summary>
public sealed class WebhookSecrets(IOptions<WebhookOptions> options)
{
    /// <summary>The shortest <see cref="WebhookOptions.SecretKey"/> accepted.</summary>
    public const int MinimumKeyLength = 32;

    private const string Version = "v1.";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(options.Value.SecretKey), 32, info: "gocoffee-webhook-secrets-v1"u8.ToArray());

    public string Seal(string tenantId, string secret)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var sealedBytes = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), Encoding.UTF8.GetBytes(tenantId));
        return Version + Convert.ToBase64String(sealedBytes);
    }

    /// <exception cref="CryptographicException">The value was not sealed for this tenant under this key.</exception>
    public string Open(string tenantId, string sealedSecret)
    {
        if (!sealedSecret.StartsWith(Version, StringComparison.Ordinal))
        {
            throw new CryptographicException("The stored webhook secret is not sealed (expected the v1. format).");
        }

        var sealedBytes = Convert.FromBase64String(sealedSecret[Version.Length..]);
        if (sealedBytes.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("The stored webhook secret is truncated.");
        }

        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), plain, Encoding.UTF8.GetBytes(tenantId));
        return Encoding.UTF8.GetString(plain);
    }
}
