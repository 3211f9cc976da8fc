using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace GoCoffee.ServiceDefaults.Security;

/// <summary>
/// Published keys for local runs and tests only (they are in this repository, so they protect nothing). A process may
/// use them in the Development or Testing environment, or when <c>Platform:UseDevelopmentKeys</c> is <c>true</c>
/// (<c>./run.sh</c> and the end-to-end tests set it); it uses one only where no real key is configured for the same
/// purpose, never in a Kubernetes pod (it refuses to start instead), and logs a warning at startup whenever it does.
/// </summary>
public static class DevelopmentKeys
{
    public const string Setting = "Platform:UseDevelopmentKeys";

    /// <summary>Set by Kubernetes in every pod: a process that sees it never falls back to a development key.</summary>
    public const string PodVariable = "KUBERNETES_SERVICE_HOST";

    /// <summary>
    /// The gateway's development key for internal tokens (ECDSA P-256, PKCS#8): signs them when
    /// <c>Platform:InternalToken:SigningKey</c> is not set.
    /// </summary>
    public const string InternalTokenPrivateKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgirfH5ongCReZLf/z
        4lXiq2nomzpw8ycf94BOZJZ5tGWhRANCAAT2lEhOpDI4+FkKei/bOvxFDEKXZn0F
        3QYMZyYKemiH70JwV3e3fM0H/5P44GOGIQzZcy81KxBfxZ78w9DpiFtM
        -----END PRIVATE KEY-----
        """;

    /// <summary>The public half of <see cref="InternalTokenPrivateKey"/>: services check internal tokens with it when <c>Platform:InternalToken:PublicKey</c> is not set.</summary>
    public const string InternalTokenPublicKey = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE9pRITqQyOPhZCnov2zr8RQxCl2Z9
        Bd0GDGcmCnpoh+9CcFd3t3zNB/+T+OBjhiEM2XMvNSsQX8We/MPQ6YhbTA==
        -----END PUBLIC KEY-----
        """;

    /// <summary>
    /// Signs operator and partner-app JWTs (HS256) the gateway accepts in development when no <c>Gateway:Jwt:Issuers</c>
    /// are configured: <c>scripts/dev-token.sh</c> mints them with issuer <see cref="JwtIssuer"/> and audience <see cref="JwtAudience"/>.
    /// </summary>
    public const string JwtSigningKey = "gocoffee-development-jwt-signing-key-0123456789ab";

    public const string JwtIssuer = "gocoffee-dev";

    public const string JwtAudience = "gocoffee-api";

    /// <summary>Whether this process may fall back to development keys at all (environment or setting).</summary>
    public static bool Allowed(IConfiguration configuration, IHostEnvironment environment) =>
        environment.IsDevelopment() || environment.IsEnvironment("Testing") || configuration.GetValue<bool>(Setting);

    /// <summary>Whether the process runs in a Kubernetes pod (where development keys are never used).</summary>
    public static bool InPod(IConfiguration configuration) => !string.IsNullOrEmpty(configuration[PodVariable]);

    /// <summary>The startup error of a pod that would need a development key for <paramref name="what"/>.</summary>
    public static string RefusedInPod(string what, string settings) =>
        $"{what}: no key is configured ({settings}) and this process runs in a Kubernetes pod ({PodVariable} is set), "
        + "where the published development keys are never used. Configure the key (from a Secret).";

    /// <summary>The startup warning of a process that uses a development key for <paramref name="what"/>.</summary>
    public const string WarningTemplate =
        "{What} use the published development key because {Settings} is not set ({Setting}={Enabled}, environment {Environment}): anyone can mint them. Never in production";
}
