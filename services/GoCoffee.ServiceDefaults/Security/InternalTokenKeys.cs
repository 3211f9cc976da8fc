using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace GoCoffee.ServiceDefaults.Security;

/// <summary>
/// The key objects of <see cref="InternalTokenOptions"/>, parsed once per process: the gateway's private key (if this
/// process mints tokens) and the public keys a service checks tokens with. Every key is ECDSA P-256 (ES256), named in
/// the token header by its RFC 7638 thumbprint.
/// </summary>
public sealed class InternalTokenKeys
{
    /// <summary>The JOSE algorithm of internal tokens.</summary>
    public const string Algorithm = SecurityAlgorithms.EcdsaSha256;

    private const string P256 = "1.2.840.10045.3.1.7";

    public InternalTokenKeys(IOptions<InternalTokenOptions> options)
        : this(options.Value)
    {
    }

    public InternalTokenKeys(InternalTokenOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.SigningKey))
        {
            Signing = PrivateKey(options.SigningKey, $"{InternalTokenOptions.Section}:SigningKey");
        }

        var verification = new List<ECDsaSecurityKey>();
        if (!string.IsNullOrWhiteSpace(options.PublicKey))
        {
            verification.Add(PublicKey(options.PublicKey, $"{InternalTokenOptions.Section}:PublicKey"));
        }

        verification.AddRange(options.PreviousPublicKeys.Where(pem => !string.IsNullOrWhiteSpace(pem))
            .Select((pem, i) => PublicKey(pem, $"{InternalTokenOptions.Section}:PreviousPublicKeys:{i}")));
        if (Signing is not null && !verification.Any(key => key.KeyId == Signing.KeyId))
        {
            // The gateway checks what it signs with the same key.
            verification.Add(PublicKey(Signing.ECDsa.ExportSubjectPublicKeyInfoPem(), $"{InternalTokenOptions.Section}:SigningKey"));
        }

        Verification = verification;
    }

    /// <summary>The private key internal tokens are signed with; null in a service (it only checks them).</summary>
    public ECDsaSecurityKey? Signing { get; }

    /// <summary>The public keys a token's signature is checked against.</summary>
    public IReadOnlyList<ECDsaSecurityKey> Verification { get; }

    /// <summary>An ECDSA P-256 private key from PEM; the error names <paramref name="setting"/> and never shows the key.</summary>
    public static ECDsaSecurityKey PrivateKey(string pem, string setting)
    {
        var ecdsa = Import(pem, setting);
        try
        {
            ecdsa.ExportParameters(includePrivateParameters: true);
        }
        catch (CryptographicException)
        {
            throw new InvalidInternalTokenKeyException($"{setting} must be an ECDSA P-256 private key (PEM); it holds only a public key.");
        }

        return Named(ecdsa);
    }

    /// <summary>An ECDSA P-256 public key from PEM (a private key's public half is taken too).</summary>
    public static ECDsaSecurityKey PublicKey(string pem, string setting)
    {
        using var imported = Import(pem, setting);
        return Named(ECDsa.Create(imported.ExportParameters(includePrivateParameters: false)));
    }

    private static ECDsa Import(string pem, string setting)
    {
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            ecdsa.Dispose();
            throw new InvalidInternalTokenKeyException($"{setting} is not an ECDSA key in PEM form ('-----BEGIN PRIVATE KEY-----', 'EC PRIVATE KEY' or 'PUBLIC KEY'): internal tokens are ES256.");
        }

        if (ecdsa.ExportParameters(includePrivateParameters: false).Curve.Oid?.Value != P256)
        {
            ecdsa.Dispose();
            throw new InvalidInternalTokenKeyException($"{setting} must be on the P-256 curve (ES256 requires it).");
        }

        return ecdsa;
    }

    private static ECDsaSecurityKey Named(ECDsa ecdsa)
    {
        var key = new ECDsaSecurityKey(ecdsa);
        key.KeyId = Base64UrlEncoder.Encode(JsonWebKeyConverter.ConvertFromECDsaSecurityKey(key).ComputeJwkThumbprint());
        return key;
    }
}

/// <summary>A configured internal-token key that cannot be used; the message names the setting.</summary>
public sealed class InvalidInternalTokenKeyException(string message) : Exception(message);
