using GoCoffee.ServiceDefaults.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace GoCoffee.Gateway.Callers;

/// <summary>
/// The gateway's callers: the API-key handler when a key is presented; otherwise the JWT bearer scheme of the issuer the
/// token names (one scheme per trusted issuer, each with only that issuer's keys, so a partner's key can sign nothing
/// but that partner's tokens); a token that names no trusted issuer goes to the first issuer's scheme and is refused
/// there. Every route that reads or changes data requires the <see cref="CallerPolicy"/>; the refusal is a problem that says why.
/// </summary>
public static class CallerAuthentication
{
    public const string CallerPolicy = "caller";

    /// <summary>The issuer name of the published development key (issuer <c>gocoffee-dev</c>), used only when no issuer is configured.</summary>
    public const string DevelopmentIssuer = "development";

    public static string SchemeOf(string issuerName) => $"jwt:{issuerName}";

    public static IHostApplicationBuilder AddCallerAuthentication(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(JwtCallerOptions.Section);
        var issuerNames = section.GetSection(nameof(JwtCallerOptions.Issuers)).GetChildren().Select(issuer => issuer.Key).ToList();
        var developmentKeys = issuerNames.Count == 0 && DevelopmentKeys.Allowed(builder.Configuration, builder.Environment);
        var refusedInPod = developmentKeys && DevelopmentKeys.InPod(builder.Configuration);
        if (developmentKeys && !refusedInPod)
        {
            issuerNames.Add(DevelopmentIssuer);
        }

        builder.Services.AddOptions<JwtCallerOptions>()
            .Bind(section)
            .PostConfigure(options =>
            {
                options.RefusedInPod = refusedInPod;
                if (developmentKeys && !refusedInPod)
                {
                    options.UsesDevelopmentKeys = true;
                    options.Issuers[DevelopmentIssuer] = new JwtIssuerOptions
                    {
                        Issuer = DevelopmentKeys.JwtIssuer,
                        Audience = DevelopmentKeys.JwtAudience,
                        SigningKeys = [DevelopmentKeys.JwtSigningKey],
                        Scopes = [CallerScope.PlatformAdmin, CallerScope.Tenant],
                        Tenants = [JwtIssuerOptions.AnyTenant],
                    };
                }
            })
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<JwtCallerOptions>, JwtCallerOptionsValidation>();
        builder.Services.AddSingleton<BearerIssuers>();
        builder.Services.AddHostedService<DevelopmentJwtKeyWarning>();

        // The gateway authenticates its own callers; the internal scheme of the defaults is for the services behind it.
        // The API-key scheme is the default and hands a request without a key to the JWT scheme of the token's issuer:
        // one handler per request (a policy scheme in front would add a second).
        var authentication = builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = ApiKeyAuthentication.SchemeName;
                options.DefaultAuthenticateScheme = ApiKeyAuthentication.SchemeName;
                options.DefaultChallengeScheme = ApiKeyAuthentication.SchemeName;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, options =>
                options.ForwardDefaultSelector = context =>
                    ApiKeyAuthentication.Presented(context.Request) ? null : context.RequestServices.GetRequiredService<BearerIssuers>().SchemeFor(context.Request));
        foreach (var name in issuerNames)
        {
            authentication.AddJwtBearer(SchemeOf(name), _ => { });
            builder.Services.AddOptions<JwtBearerOptions>(SchemeOf(name)).Configure<IOptions<JwtCallerOptions>>((jwt, callers) =>
                ConfigureJwt(jwt, callers.Value, name));
        }

        builder.Services.AddSingleton<IAuthorizationHandler, TenantAccessAtTheEdge>();
        builder.Services.AddAuthorization(options =>
        {
            options.FallbackPolicy = null;
            options.AddPolicy(CallerPolicy, policy => policy.RequireAuthenticatedUser().AddRequirements(new GatewayAccessRequirement()));
        });
        return builder;
    }

    private static void ConfigureJwt(JwtBearerOptions jwt, JwtCallerOptions options, string name)
    {
        var issuer = options.Issuers[name];
        if (!string.IsNullOrEmpty(issuer.Authority))
        {
            jwt.Authority = issuer.Authority;
        }

        jwt.MapInboundClaims = false;
        jwt.RequireHttpsMetadata = issuer.Authority?.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ?? false;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = issuer.Iss,
            ValidAudience = issuer.Audience ?? options.Audience,
            IssuerSigningKeys = IssuerKeys.Of(issuer),
            ValidAlgorithms = issuer.EffectiveAlgorithms,
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
            OnTokenValidated = context =>
            {
                if (IssuerGrants.Refusal(name, issuer, context.Principal!) is { } refusal)
                {
                    context.HttpContext.Items[InternalIdentity.FailureItem] = refusal;
                    context.Fail(refusal);
                }

                return Task.CompletedTask;
            },
            OnChallenge = context =>
            {
                context.HttpContext.Items.TryAdd(
                    InternalIdentity.FailureItem,
                    $"Send a tenant API key ({ApiKeyAuthentication.Header} header) or a bearer token (Authorization: Bearer).");
                return Task.CompletedTask;
            },
        };
    }

    private sealed class DevelopmentJwtKeyWarning(IOptions<JwtCallerOptions> options, IConfiguration configuration, IHostEnvironment environment, ILogger<JwtCallerOptions> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (options.Value.UsesDevelopmentKeys)
            {
                logger.LogWarning(
                    DevelopmentKeys.WarningTemplate,
                    $"Operator and partner JWTs (issuer {DevelopmentKeys.JwtIssuer})",
                    $"{JwtCallerOptions.Section}:Issuers",
                    DevelopmentKeys.Setting,
                    configuration.GetValue<bool>(DevelopmentKeys.Setting),
                    environment.EnvironmentName);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
