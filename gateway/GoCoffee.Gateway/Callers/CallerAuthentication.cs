using GoCoffee.ServiceDefaults.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace GoCoffee.Gateway.Callers;

/// <summary><c>Gateway:Jwt</c>: the bearer tokens of platform operators and partner apps.</summary>
public sealed class JwtCallerOptions
{
    public const string Section = "Gateway:Jwt";

    /// <summary>The <c>iss</c> tokens must carry.</summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> tokens must carry.</summary>
    public string Audience { get; set; } = "gocoffee-api";

    /// <summary>HMAC secrets (at least 32 bytes each) that sign accepted tokens.</summary>
    public List<string> SigningKeys { get; set; } = [];

    /// <summary>An OpenID Connect issuer whose published keys (RSA, EC) sign accepted tokens, instead of or besides <see cref="SigningKeys"/>.</summary>
    public string? Authority { get; set; }

    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// The gateway's callers: the API-key handler when a key is presented, JWT bearer otherwise.
/// Every route that reads or changes data requires the <see cref="CallerPolicy"/>; the refusal is a problem that says why.
/// </summary>
public static class CallerAuthentication
{
    public const string JwtScheme = "jwt";
    public const string CallerPolicy = "caller";

    private static readonly string[] AcceptedAlgorithms =
    [
        SecurityAlgorithms.HmacSha256, SecurityAlgorithms.HmacSha384, SecurityAlgorithms.HmacSha512,
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384,
    ];

    public static IHostApplicationBuilder AddCallerAuthentication(this IHostApplicationBuilder builder)
    {
        var developmentKeys = DevelopmentKeys.Allowed(builder.Configuration, builder.Environment);
        builder.Services.AddOptions<JwtCallerOptions>().Bind(builder.Configuration.GetSection(JwtCallerOptions.Section));

        // The gateway authenticates its own callers; the internal scheme of the defaults is for the services behind it.
        // The API-key scheme is the default and hands a request without a key to JWT bearer: one handler per request
        // (a policy scheme in front would add a second).
        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = ApiKeyAuthentication.SchemeName;
                options.DefaultAuthenticateScheme = ApiKeyAuthentication.SchemeName;
                options.DefaultChallengeScheme = ApiKeyAuthentication.SchemeName;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, options =>
                options.ForwardDefaultSelector = context => ApiKeyAuthentication.Presented(context.Request) ? null : JwtScheme)
            .AddJwtBearer(JwtScheme, _ => { });
        builder.Services.AddOptions<JwtBearerOptions>(JwtScheme).Configure<IOptions<JwtCallerOptions>>((jwt, callers) =>
            ConfigureJwt(jwt, callers.Value, developmentKeys));

        builder.Services.AddSingleton<IAuthorizationHandler, TenantAccessAtTheEdge>();
        builder.Services.AddAuthorization(options =>
        {
            options.FallbackPolicy = null;
            options.AddPolicy(CallerPolicy, policy => policy.RequireAuthenticatedUser().AddRequirements(new GatewayAccessRequirement()));
        });
        return builder;
    }

    private static void ConfigureJwt(JwtBearerOptions jwt, JwtCallerOptions options, bool developmentKeys)
    {
        var keys = options.SigningKeys.Where(key => key.Length > 0).Select(InternalIdentity.KeyOf).ToList<SecurityKey>();
        var issuers = new List<string>();
        var audiences = new List<string> { options.Audience };
        if (!string.IsNullOrEmpty(options.Issuer))
        {
            issuers.Add(options.Issuer);
        }

        if (developmentKeys)
        {
            keys.Add(InternalIdentity.KeyOf(DevelopmentKeys.JwtSigningKey));
            issuers.Add(DevelopmentKeys.JwtIssuer);
            audiences.Add(DevelopmentKeys.JwtAudience);
        }

        if (!string.IsNullOrEmpty(options.Authority))
        {
            jwt.Authority = options.Authority;
            issuers.Add(options.Authority);
        }

        jwt.MapInboundClaims = false;
        jwt.RequireHttpsMetadata = options.Authority?.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ?? false;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuers = issuers,
            ValidAudiences = audiences,
            IssuerSigningKeys = keys,
            ValidAlgorithms = AcceptedAlgorithms,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = options.ClockSkew,
            NameClaimType = InternalClaims.Subject,
            RoleClaimType = InternalClaims.Scope,
        };
        jwt.Events = new JwtBearerEvents
        {
            OnAuthenticationFailed = context => TokenFailures.Record(context, "bearer token"),
            OnChallenge = context =>
            {
                context.HttpContext.Items.TryAdd(
                    InternalIdentity.FailureItem,
                    $"Send a tenant API key ({ApiKeyAuthentication.Header} header) or a bearer token (Authorization: Bearer).");
                return Task.CompletedTask;
            },
        };
    }
}
