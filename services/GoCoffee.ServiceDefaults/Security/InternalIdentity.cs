using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace GoCoffee.ServiceDefaults.Security;

/// <summary>
/// Services trust a caller only through the gateway's internal token: JWT bearer authentication with the shared HMAC key,
/// required (fallback policy) on every endpoint that does not opt out, which only health, <c>/metrics</c> and the OpenAPI
/// document do. <c>http.User.Identity.Name</c> is the actor the gateway named.
/// </summary>
public static class InternalIdentity
{
    public const string Scheme = "internal";

    /// <summary>Where an authentication handler leaves why it refused a credential, for the 401 problem's detail.</summary>
    public const string FailureItem = "gocoffee.authentication-failure";

    public const int MinimumKeyBytes = 32;

    public static IHostApplicationBuilder AddInternalIdentity(this IHostApplicationBuilder builder)
    {
        var developmentKeys = DevelopmentKeys.Allowed(builder.Configuration, builder.Environment);
        builder.Services.AddOptions<InternalTokenOptions>()
            .Bind(builder.Configuration.GetSection(InternalTokenOptions.Section))
            .PostConfigure(options =>
            {
                if (string.IsNullOrEmpty(options.SigningKey) && developmentKeys)
                {
                    options.SigningKey = DevelopmentKeys.InternalTokenSigningKey;
                }
            })
            .Validate(
                options => !string.IsNullOrEmpty(options.SigningKey),
                $"{InternalTokenOptions.Section}:SigningKey is not set. Set it (the same secret, at least {MinimumKeyBytes} bytes, on the gateway and every service), "
                + $"or, for a local run only, set {DevelopmentKeys.Setting}=true to use the published development key.")
            .Validate(
                options => options.SigningKey is null || Encoding.UTF8.GetByteCount(options.SigningKey) >= MinimumKeyBytes,
                $"{InternalTokenOptions.Section}:SigningKey must be at least {MinimumKeyBytes} bytes.")
            .Validate(options => options.Lifetime > TimeSpan.Zero && options.Lifetime <= TimeSpan.FromMinutes(10), $"{InternalTokenOptions.Section}:Lifetime must be between 0 and 10 minutes.")
            .ValidateOnStart();
        builder.Services.AddSingleton<InternalTokenIssuer>();
        builder.Services.AddHostedService<DevelopmentKeyWarning>();

        builder.Services.AddAuthentication(Scheme).AddJwtBearer(Scheme, _ => { });
        builder.Services.AddOptions<JwtBearerOptions>(Scheme).Configure<IOptions<InternalTokenOptions>>((jwt, internalToken) =>
        {
            var options = internalToken.Value;
            jwt.MapInboundClaims = false;
            jwt.RequireHttpsMetadata = false;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = options.Issuer,
                ValidAudience = options.Audience,
                IssuerSigningKeys = [.. new[] { options.SigningKey }.Concat(options.PreviousSigningKeys).OfType<string>().Where(k => k.Length > 0).Select(KeyOf)],
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                RequireSignedTokens = true,
                RequireExpirationTime = true,
                ClockSkew = options.ClockSkew,
                NameClaimType = InternalClaims.Subject,
                RoleClaimType = InternalClaims.Scope,
            };
            jwt.Events = new JwtBearerEvents
            {
                OnAuthenticationFailed = context => TokenFailures.Record(context, "internal token"),
            };
        });

        builder.Services.AddAuthorization(options =>
        {
            // The default scheme is the internal one, so policies name no scheme: the token is validated once per request.
            var caller = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireClaim(InternalClaims.Scope, CallerScope.PlatformAdmin, CallerScope.Tenant).Build();
            options.DefaultPolicy = caller;
            options.FallbackPolicy = caller;
            options.AddPolicy(TenantScope.PlatformAdminPolicy, policy => policy.RequireAuthenticatedUser().AddRequirements(new PlatformAdminRequirement()));
            options.AddPolicy(TenantScope.TenantAccessPolicy, policy => policy.RequireAuthenticatedUser().AddRequirements(new TenantAccessRequirement(TenantScope.TenantRouteValue)));
        });
        builder.Services.AddSingleton<IAuthorizationHandler, TenantAccessHandler>();
        builder.Services.AddSingleton<IAuthorizationHandler, PlatformAdminHandler>();
        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        return builder;
    }

    public static SymmetricSecurityKey KeyOf(string secret) => new(Encoding.UTF8.GetBytes(secret)) { KeyId = null };

    private sealed class DevelopmentKeyWarning(IOptions<InternalTokenOptions> options, IConfiguration configuration, IHostEnvironment environment, ILogger<InternalTokenOptions> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (options.Value.SigningKey == DevelopmentKeys.InternalTokenSigningKey && !environment.IsEnvironment("Testing"))
            {
                logger.LogWarning(
                    "Internal tokens use the published development key ({Setting}={Enabled}, environment {Environment}): never in production",
                    DevelopmentKeys.Setting,
                    configuration.GetValue<bool>(DevelopmentKeys.Setting),
                    environment.EnvironmentName);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>Why a bearer token was refused, in words a client can act on (never the token or the key).</summary>
public static class TokenFailures
{
    /// <summary>Leaves why the token was refused where the 401 problem's detail is taken from.</summary>
    public static Task Record(AuthenticationFailedContext context, string what)
    {
        context.HttpContext.Items[InternalIdentity.FailureItem] = Describe(context.Exception, what);
        return Task.CompletedTask;
    }

    public static string Describe(Exception exception, string what) => exception switch
    {
        _ when exception.Message.Contains("IDX10504", StringComparison.Ordinal) => $"The {what} is not signed.",
        SecurityTokenExpiredException => $"The {what} has expired.",
        SecurityTokenNotYetValidException => $"The {what} is not valid yet.",
        SecurityTokenInvalidAudienceException => $"The {what} is not meant for this audience.",
        SecurityTokenInvalidIssuerException => $"The {what} comes from an issuer that is not trusted.",
        SecurityTokenInvalidAlgorithmException => $"The {what} is signed with an algorithm that is not accepted.",
        SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => $"The {what}'s signature is not valid.",
        SecurityTokenNoExpirationException => $"The {what} has no expiry.",
        SecurityTokenMalformedException => $"The {what} is not a well-formed JWT.",
        _ => $"The {what} is not valid.",
    };
}
