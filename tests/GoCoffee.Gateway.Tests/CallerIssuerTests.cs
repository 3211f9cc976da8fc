using System.Collections.Concurrent;
using System.Security.Cryptography;
using GoCoffee.Gateway.Callers;
using GoCoffee.ServiceDefaults;
using GoCoffee.ServiceDefaults.Security;
using GoCoffee.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GoCoffee.Gateway.Tests;

/// <summary>
/// Which bearer tokens the gateway trusts: each configured issuer's keys sign only that issuer's tokens, which may
/// assert only what the issuer is configured to grant; keys too short for their algorithm, and development keys in a
/// pod, stop the gateway at startup; the development key is used only when no issuer is configured, with a warning.
/// </summary>
public sealed class CallerIssuerTests
{
    private const string PlatformIssuer = "https://login.gocoffee.example";
    private const string PartnerIssuer = "https://auth.partner.example";
    private const string PlatformSecret = "platform-issuer-secret-of-at-least-32-bytes";
    private const string PartnerSecret = "partner-issuer-secret-of-at-least-32-bytes!";

    private static readonly Dictionary<string, object> Admin = new() { ["sub"] = "mallory", ["scope"] = CallerScope.PlatformAdmin };

    private static Dictionary<string, object> TenantCaller(string tenantId) => new() { ["sub"] = "app", ["scope"] = CallerScope.Tenant, ["tenant_id"] = tenantId };

    private static Dictionary<string, string?> TwoIssuers() => new()
    {
        ["Gateway:Jwt:Issuers:platform:Issuer"] = PlatformIssuer,
        ["Gateway:Jwt:Issuers:platform:SigningKeys:0"] = PlatformSecret,
        ["Gateway:Jwt:Issuers:platform:Scopes:0"] = CallerScope.PlatformAdmin,
        ["Gateway:Jwt:Issuers:platform:Scopes:1"] = CallerScope.Tenant,
        ["Gateway:Jwt:Issuers:platform:Tenants:0"] = JwtIssuerOptions.AnyTenant,
        ["Gateway:Jwt:Issuers:partner:Issuer"] = PartnerIssuer,
        ["Gateway:Jwt:Issuers:partner:SigningKeys:0"] = PartnerSecret,
        ["Gateway:Jwt:Issuers:partner:Scopes:0"] = CallerScope.Tenant,
        ["Gateway:Jwt:Issuers:partner:Tenants:0"] = "acme",
    };

    [Fact]
    public async Task A_gateway_with_a_configured_issuer_refuses_tokens_signed_with_the_development_key_even_in_Development()
    {
        await using var gateway = Gateway("Development", TwoIssuers());

        var development = await Authenticate(gateway, DevelopmentTokens.PlatformAdmin());
        Assert.False(development.Succeeded);
        Assert.Contains("signature is not valid", development.Why, StringComparison.Ordinal);
        var developmentKeyPlatformIssuer = await Authenticate(gateway, DevelopmentTokens.Jwt(Admin, issuer: PlatformIssuer));
        Assert.False(developmentKeyPlatformIssuer.Succeeded);
        Assert.Contains("signature is not valid", developmentKeyPlatformIssuer.Why, StringComparison.Ordinal);

        Assert.True((await Authenticate(gateway, DevelopmentTokens.Jwt(Admin, signingKey: PlatformSecret, issuer: PlatformIssuer))).Succeeded);
    }

    [Fact]
    public async Task A_partner_issuers_key_can_mint_neither_a_platform_admin_token_nor_a_token_of_another_issuer()
    {
        await using var gateway = Gateway("Production", TwoIssuers());

        var partnerAsAdmin = await Authenticate(gateway, DevelopmentTokens.Jwt(Admin, signingKey: PartnerSecret, issuer: PartnerIssuer));
        Assert.False(partnerAsAdmin.Succeeded);
        Assert.Equal("The bearer token's issuer 'partner' may not grant the 'platform-admin' scope.", partnerAsAdmin.Why);

        var partnerAsPlatform = await Authenticate(gateway, DevelopmentTokens.Jwt(Admin, signingKey: PartnerSecret, issuer: PlatformIssuer));
        Assert.False(partnerAsPlatform.Succeeded);
        Assert.Contains("signature is not valid", partnerAsPlatform.Why, StringComparison.Ordinal);

        var platformAsPartner = await Authenticate(gateway, DevelopmentTokens.Jwt(TenantCaller("acme"), signingKey: PlatformSecret, issuer: PartnerIssuer));
        Assert.False(platformAsPartner.Succeeded);
        Assert.Contains("signature is not valid", platformAsPartner.Why, StringComparison.Ordinal);

        Assert.True((await Authenticate(gateway, DevelopmentTokens.Jwt(Admin, signingKey: PlatformSecret, issuer: PlatformIssuer))).Succeeded);
    }

    [Fact]
    public async Task The_tenants_an_issuer_may_name_are_configuration()
    {
        await using var gateway = Gateway("Production", TwoIssuers());

        Assert.True((await Authenticate(gateway, DevelopmentTokens.Jwt(TenantCaller("acme"), signingKey: PartnerSecret, issuer: PartnerIssuer))).Succeeded);
        var otherTenant = await Authenticate(gateway, DevelopmentTokens.Jwt(TenantCaller("bravo"), signingKey: PartnerSecret, issuer: PartnerIssuer));
        Assert.False(otherTenant.Succeeded);
        Assert.Equal("The bearer token's issuer 'partner' may not act for tenant 'bravo'.", otherTenant.Why);
        Assert.True((await Authenticate(gateway, DevelopmentTokens.Jwt(TenantCaller("bravo"), signingKey: PlatformSecret, issuer: PlatformIssuer))).Succeeded);
    }

    [Fact]
    public async Task A_gateway_in_a_pod_refuses_to_start_with_the_development_jwt_key()
    {
        using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var why = await StartupFailure("Development", new()
        {
            [DevelopmentKeys.PodVariable] = "10.96.0.1",
            ["Platform:InternalToken:SigningKey"] = signing.ExportPkcs8PrivateKeyPem(),
        });

        Assert.Contains(DevelopmentKeys.PodVariable, why, StringComparison.Ordinal);
        Assert.Contains("Gateway:Jwt:Issuers", why, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Misconfigurations => new()
    {
        { "hs256-31-bytes", "Gateway:Jwt:Issuers:platform:SigningKeys:0 is 248 bits; HS256 needs a secret of at least 256 bits" },
        { "hs512-48-bytes", "Gateway:Jwt:Issuers:platform:SigningKeys:0 is 384 bits; HS256/HS512 needs a secret of at least 512 bits" },
        { "rsa-1024", "Gateway:Jwt:Issuers:platform:PublicKeys:0 is a 1024-bit RSA key; RS/PS algorithms need at least 2048 bits" },
        { "p256-for-es384", "Gateway:Jwt:Issuers:platform:PublicKeys:0 is a 256-bit EC key, usable only with ES256" },
        { "no-scopes", "Gateway:Jwt:Issuers:platform:Scopes must list what its tokens may grant" },
        { "tenant-scope-without-tenants", "Gateway:Jwt:Issuers:platform:Tenants must list the tenants" },
        { "retired-shared-keys", "Gateway:Jwt:Issuer, SigningKeys and Authority are retired" },
    };

    [Theory]
    [MemberData(nameof(Misconfigurations))]
    public async Task An_issuer_with_a_key_too_short_for_its_algorithm_or_no_grants_stops_the_gateway_at_startup(string misconfiguration, string why)
    {
        using var rsa = RSA.Create(1024);
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Jwt:Issuers:platform:Issuer"] = PlatformIssuer,
            ["Gateway:Jwt:Issuers:platform:Scopes:0"] = CallerScope.PlatformAdmin,
        };
        switch (misconfiguration)
        {
            case "hs256-31-bytes":
                settings["Gateway:Jwt:Issuers:platform:SigningKeys:0"] = new string('k', 31);
                break;
            case "hs512-48-bytes":
                settings["Gateway:Jwt:Issuers:platform:SigningKeys:0"] = new string('k', 48);
                settings["Gateway:Jwt:Issuers:platform:Algorithms:0"] = "HS256";
                settings["Gateway:Jwt:Issuers:platform:Algorithms:1"] = "HS512";
                break;
            case "rsa-1024":
                settings["Gateway:Jwt:Issuers:platform:PublicKeys:0"] = rsa.ExportSubjectPublicKeyInfoPem();
                break;
            case "p256-for-es384":
                settings["Gateway:Jwt:Issuers:platform:PublicKeys:0"] = p256.ExportSubjectPublicKeyInfoPem();
                settings["Gateway:Jwt:Issuers:platform:Algorithms:0"] = "ES384";
                break;
            case "no-scopes":
                settings["Gateway:Jwt:Issuers:platform:SigningKeys:0"] = PlatformSecret;
                settings["Gateway:Jwt:Issuers:platform:Scopes:0"] = null;
                break;
            case "tenant-scope-without-tenants":
                settings["Gateway:Jwt:Issuers:platform:SigningKeys:0"] = PlatformSecret;
                settings["Gateway:Jwt:Issuers:platform:Scopes:1"] = CallerScope.Tenant;
                break;
            default:
                settings["Gateway:Jwt:Issuers:platform:SigningKeys:0"] = PlatformSecret;
                settings["Gateway:Jwt:SigningKeys:0"] = PartnerSecret;
                break;
        }

        Assert.Contains(why, await StartupFailure("Production", settings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_as_long_as_their_algorithms_require_are_accepted()
    {
        using var rsa = RSA.Create(2048);
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var settings = TwoIssuers();
        settings["Gateway:Jwt:Issuers:partner:SigningKeys:0"] = new string('k', 64);
        settings["Gateway:Jwt:Issuers:partner:Algorithms:0"] = "HS512";
        settings["Gateway:Jwt:Issuers:keys:Issuer"] = "https://keys.example";
        settings["Gateway:Jwt:Issuers:keys:PublicKeys:0"] = rsa.ExportSubjectPublicKeyInfoPem();
        settings["Gateway:Jwt:Issuers:keys:PublicKeys:1"] = p256.ExportSubjectPublicKeyInfoPem();
        settings["Gateway:Jwt:Issuers:keys:PublicKeys:2"] = p384.ExportSubjectPublicKeyInfoPem();
        settings["Gateway:Jwt:Issuers:keys:Algorithms:0"] = "RS256";
        settings["Gateway:Jwt:Issuers:keys:Algorithms:1"] = "ES256";
        settings["Gateway:Jwt:Issuers:keys:Algorithms:2"] = "ES384";
        settings["Gateway:Jwt:Issuers:keys:Scopes:0"] = CallerScope.Tenant;
        settings["Gateway:Jwt:Issuers:keys:Tenants:0"] = "acme";
        await using var gateway = Gateway("Production", settings);

        Assert.Equal(3, gateway.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<JwtCallerOptions>>().Value.Issuers.Count);
        Assert.True((await Authenticate(gateway, DevelopmentTokens.Jwt(TenantCaller("acme"), signingKey: new string('k', 64), issuer: PartnerIssuer, algorithm: "HS512"))).Succeeded);
    }

    [Fact]
    public async Task A_gateway_using_development_keys_logs_a_warning_at_startup()
    {
        await using var database = await TestDatabase.Create();
        await using var virtualHost = await TestVirtualHost.Create();
        var logs = new ConcurrentQueue<string>();
        await using var gateway = await PlatformHost.Start(
            database,
            virtualHost,
            builder =>
            {
                builder.AddGateway();
                builder.Services.AddSingleton<ILoggerFactory>(new LoggerFactory([new CapturingLoggerProvider(logs)]));
            },
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapGateway();
            },
            appSettingsFile: Path.Combine(AppContext.BaseDirectory, "gateway.appsettings.json"));

        Assert.Contains(logs, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("Operator and partner JWTs (issuer gocoffee-dev) use the published development key", StringComparison.Ordinal));
        Assert.Contains(logs, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("Internal tokens use the published development key", StringComparison.Ordinal));
    }

    /// <summary>The gateway, built but not started: its authentication runs on a request context of its own services.</summary>
    private static WebApplication Gateway(string environment, Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "gateway.appsettings.json"), optional: false);
        using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["ConnectionStrings:RabbitMq"] = "amqp://gocoffee:gocoffee@127.0.0.1:5672/gocoffee-no-such-vhost",
            ["Platform:InternalToken:SigningKey"] = signing.ExportPkcs8PrivateKeyPem(),
            [DevelopmentKeys.PodVariable] = string.Empty,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddGateway();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGateway();
        return app;
    }

    /// <summary>Why the gateway refuses to start with <paramref name="settings"/> (startup validation runs before anything connects).</summary>
    private static async Task<string> StartupFailure(string environment, Dictionary<string, string?> settings)
    {
        await using var gateway = Gateway(environment, settings);
        try
        {
            await gateway.StartAsync();
        }
        catch (Exception exception)
        {
            return exception is AggregateException aggregate ? string.Join(" | ", aggregate.Flatten().InnerExceptions.Select(inner => inner.Message)) : exception.Message;
        }

        await gateway.StopAsync();
        Assert.Fail("The gateway started.");
        return string.Empty;
    }

    private static async Task<(bool Succeeded, string? Why)> Authenticate(WebApplication gateway, string token)
    {
        await using var scope = gateway.Services.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Headers.Authorization = $"Bearer {token}";
        var result = await http.AuthenticateAsync();
        return (result.Succeeded, http.Items[InternalIdentity.FailureItem] as string ?? result.Failure?.Message);
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(lines);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
        }
    }
}
