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
/// Services trust a caller only through the gateway's internal token: JWT bearer authentication with the gateway's
/// public key (ES256) and this service's own audience, required (fallback policy) on every endpoint that does not opt
/// out, which only health, <c>/metrics</c> and the OpenAPI document do. <c>http.User.Identity.Name</c> is the actor the
/// gateway named.
/// </summary>
public static class InternalIdentity
{
    public const string Scheme = "internal";

    /// <summary>Where an authentication handler leaves why it refused a credential, for the 401 problem's detail.</summary>
    public const string FailureItem = "gocoffee.authentication-failure";

    public static IHostApplicationBuilder AddInternalIdentity(this IHostApplicationBuilder builder, ServiceIdentity identity)
    {
        var developmentKeys = DevelopmentKeys.Allowed(builder.Configuration, builder.Environment);
        var inPod = DevelopmentKeys.InPod(builder.Configuration);
        builder.Services.AddOptions<InternalTokenOptions>()
            .Bind(builder.Configuration.GetSection(InternalTokenOptions.Section))
            .PostConfigure(options => UseConfiguredOrDevelopmentKeys(options, identity, developmentKeys, inPod))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<InternalTokenOptions>, InternalTokenOptionsValidation>();
        builder.Services.AddSingleton<InternalTokenKeys>();
        builder.Services.AddHostedService<DevelopmentKeyWarning>();

        builder.Services.AddAuthentication(Scheme).AddJwtBearer(Scheme, _ => { });
        builder.Services.AddOptions<JwtBearerOptions>(Scheme).Configure<IOptions<InternalTokenOptions>, InternalTokenKeys, TimeProvider>((jwt, internalToken, keys, clock) =>
        {
            var options = internalToken.Value;
            jwt.MapInboundClaims = false;
            jwt.RequireHttpsMetadata = false;
            jwt.TokenHandlers.Clear();
            jwt.TokenHandlers.Add(new VerifiedInternalTokens(clock));
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = options.Issuer,
                ValidAudience = options.Audience,
                IssuerSigningKeys = keys.Verification,
                ValidAlgorithms = [InternalTokenKeys.Algorithm],
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

    /// <summary>
    /// This process mints internal tokens (the gateway): it needs the private key, and <see cref="InternalTokenIssuer"/>
    /// signs with it. Nothing else registers the issuer, so a service cannot mint a token even with its own code.
    /// </summary>
    public static IHostApplicationBuilder AddInternalTokenIssuer(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<InternalTokenOptions>(options => options.MintsTokens = true);
        builder.Services.AddSingleton<InternalTokenIssuer>();
        return builder;
    }

    public static SymmetricSecurityKey KeyOf(string secret) => new(Encoding.UTF8.GetBytes(secret)) { KeyId = null };

    /// <summary>
    /// Files are read into the PEM settings; a development key stands in only for a key that is not configured, only
    /// where development keys are allowed, and never in a pod.
    /// </summary>
    private static void UseConfiguredOrDevelopmentKeys(InternalTokenOptions options, ServiceIdentity identity, bool developmentKeys, bool inPod)
    {
        options.Audience = string.IsNullOrWhiteSpace(options.Audience) ? identity.Name : options.Audience;
        options.SigningKey = FromFile(options.SigningKey, options.SigningKeyFile);
        options.PublicKey = FromFile(options.PublicKey, options.PublicKeyFile);
        var needsSigningKey = options.MintsTokens && string.IsNullOrWhiteSpace(options.SigningKey);
        var needsPublicKey = string.IsNullOrWhiteSpace(options.PublicKey) && string.IsNullOrWhiteSpace(options.SigningKey) && options.PreviousPublicKeys.Count == 0;
        if (!developmentKeys || !(needsSigningKey || needsPublicKey))
        {
            return;
        }

        if (inPod)
        {
            options.RefusedInPod = true;
            return;
        }

        options.UsesDevelopmentKeys = true;
        if (needsSigningKey)
        {
            options.SigningKey = DevelopmentKeys.InternalTokenPrivateKey;
        }
        else
        {
            options.PublicKey = DevelopmentKeys.InternalTokenPublicKey;
        }
    }

    private static string? FromFile(string? value, string? file) =>
        !string.IsNullOrWhiteSpace(value) || string.IsNullOrWhiteSpace(file) ? value
        : File.Exists(file) ? File.ReadAllText(file)
        : throw new OptionsValidationException(InternalTokenOptions.Section, typeof(InternalTokenOptions), [$"{InternalTokenOptions.Section}: the key file '{file}' does not exist."]);

    private sealed class InternalTokenOptionsValidation : IValidateOptions<InternalTokenOptions>
    {
        public ValidateOptionsResult Validate(string? name, InternalTokenOptions options)
        {
            const string section = InternalTokenOptions.Section;
            if (options.RefusedInPod)
            {
                return ValidateOptionsResult.Fail(DevelopmentKeys.RefusedInPod(
                    "Internal tokens",
                    options.MintsTokens ? $"{section}:SigningKey or SigningKeyFile" : $"{section}:PublicKey or PublicKeyFile"));
            }

            var failures = new List<string>();
            if (options.MintsTokens && string.IsNullOrWhiteSpace(options.SigningKey))
            {
                failures.Add($"{section}:SigningKey (or SigningKeyFile) is not set: the gateway signs internal tokens with this ECDSA P-256 private key (PEM). "
                    + $"For a local run only, set {DevelopmentKeys.Setting}=true to use the published development key.");
            }
            else if (string.IsNullOrWhiteSpace(options.PublicKey) && string.IsNullOrWhiteSpace(options.SigningKey) && options.PreviousPublicKeys.Count == 0)
            {
                failures.Add($"{section}:PublicKey (or PublicKeyFile) is not set: a service checks internal tokens with the gateway's ECDSA P-256 public key (PEM). "
                    + $"For a local run only, set {DevelopmentKeys.Setting}=true to use the published development key.");
            }
            else
            {
                try
                {
                    _ = new InternalTokenKeys(options);
                }
                catch (InvalidInternalTokenKeyException invalid)
                {
                    failures.Add(invalid.Message);
                }
            }

            if (options.Lifetime <= TimeSpan.Zero || options.Lifetime > TimeSpan.FromMinutes(10))
            {
                failures.Add($"{section}:Lifetime must be between 0 and 10 minutes.");
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }

    private sealed class DevelopmentKeyWarning(IOptions<InternalTokenOptions> options, IConfiguration configuration, IHostEnvironment environment, ILogger<InternalTokenOptions> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (options.Value.UsesDevelopmentKeys)
            {
                logger.LogWarning(
                    DevelopmentKeys.WarningTemplate,
                    "Internal tokens",
                    options.Value.MintsTokens ? $"{InternalTokenOptions.Section}:SigningKey" : $"{InternalTokenOptions.Section}:PublicKey",
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
