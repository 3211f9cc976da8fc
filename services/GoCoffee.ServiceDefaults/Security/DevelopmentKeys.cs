using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace GoCoffee.ServiceDefaults.Security;

/// <summary>
/// Published keys for local runs and tests only (they are in this repository, so they protect nothing). A process uses
/// them only in the Development or Testing environment, or when <c>Platform:UseDevelopmentKeys</c> is <c>true</c>
/// (<c>./run.sh</c> and the end-to-end tests set it), and says so in its log at startup.
/// </summary>
public static class DevelopmentKeys
{
    public const string Setting = "Platform:UseDevelopmentKeys";

    /// <summary>Signs the gateway's internal tokens when <c>Platform:InternalToken:SigningKey</c> is not set.</summary>
    public const string InternalTokenSigningKey = "gocoffee-development-internal-token-key-0123456789";

    /// <summary>
    /// Signs operator and partner-app JWTs (HS256) the gateway accepts in development: <c>scripts/dev-token.sh</c> mints
    /// them with issuer <see cref="JwtIssuer"/> and audience <see cref="JwtAudience"/>.
    /// </summary>
    public const string JwtSigningKey = "gocoffee-development-jwt-signing-key-0123456789ab";

    public const string JwtIssuer = "gocoffee-dev";

    public const string JwtAudience = "gocoffee-api";

    public static bool Allowed(IConfiguration configuration, IHostEnvironment environment) =>
        environment.IsDevelopment() || environment.IsEnvironment("Testing") || configuration.GetValue<bool>(Setting);
}
