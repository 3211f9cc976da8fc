using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using GoCoffee.ServiceDefaults.Security;
using GoCoffee.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GoCoffee.ServiceDefaults.Tests;

/// <summary>
/// Which keys a process checks (and, for the gateway, signs) internal tokens with: configured keys, or the published
/// development keys only where nothing is configured, never in a pod, always with a warning.
/// </summary>
public sealed class InternalTokenKeyTests
{
    private static readonly ServiceIdentity Tenant = new("tenant", "/api/tenants");
    private static readonly InternalCaller Admin = InternalCaller.PlatformAdmin("test:operator");

    [Fact]
    public async Task A_service_with_a_configured_public_key_refuses_tokens_signed_with_the_development_key_even_in_Development()
    {
        using var gatewayKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var service = await ServiceHost.Start("Development", new() { ["Platform:InternalToken:PublicKey"] = gatewayKey.ExportSubjectPublicKeyInfoPem() });

        Assert.Equal(HttpStatusCode.Unauthorized, await service.Call(InternalTokens.For(Admin, "tenant")));
        Assert.Equal(HttpStatusCode.OK, await service.Call(InternalTokenIssuer.Create(gatewayKey.ExportPkcs8PrivateKeyPem()).Mint(Admin, "tenant")));
        Assert.DoesNotContain(service.Logs, line => line.Contains("development key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_service_checks_the_signature_of_a_reused_token_once_and_still_refuses_it_once_expired()
    {
        await using var service = await ServiceHost.Start("Testing", []);
        var handler = service.Services.GetRequiredService<IOptionsMonitor<Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerOptions>>()
            .Get(InternalIdentity.Scheme).TokenHandlers.OfType<VerifiedInternalTokens>().Single();

        var token = InternalTokens.Development.Create(Admin, "tenant", DateTimeOffset.UtcNow, TimeSpan.FromSeconds(1));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await service.Call(token));
        }

        Assert.Equal(1, handler.FullValidations);
        Assert.Equal(HttpStatusCode.Unauthorized, await service.Call(InternalTokens.For(Admin, "ai-workload")));
        Assert.Equal(2, handler.FullValidations);
        await TestInfrastructure.Eventually(
            async () => await service.Call(token) == HttpStatusCode.Unauthorized ? (bool?)true : null,
            TimeSpan.FromSeconds(30),
            "the remembered token is refused once expired (1 s, plus the 5 s clock skew)");
    }

    [Fact]
    public async Task A_key_given_as_a_file_is_used()
    {
        using var gatewayKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, gatewayKey.ExportSubjectPublicKeyInfoPem());
            await using var service = await ServiceHost.Start("Testing", new() { ["Platform:InternalToken:PublicKeyFile"] = file });
            Assert.Equal(HttpStatusCode.Unauthorized, await service.Call(InternalTokens.For(Admin, "tenant")));
            Assert.Equal(HttpStatusCode.OK, await service.Call(InternalTokenIssuer.Create(gatewayKey.ExportPkcs8PrivateKeyPem()).Mint(Admin, "tenant")));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_process_in_a_pod_refuses_to_start_with_development_keys(bool mintsTokens)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => ServiceHost.Start(
            "Development",
            new() { [DevelopmentKeys.PodVariable] = "10.96.0.1", [DevelopmentKeys.Setting] = "true" },
            mintsTokens));

        Assert.Contains(DevelopmentKeys.PodVariable, failure.Message, StringComparison.Ordinal);
        Assert.Contains(mintsTokens ? "Platform:InternalToken:SigningKey" : "Platform:InternalToken:PublicKey", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_process_in_a_pod_with_its_keys_configured_starts()
    {
        using var gatewayKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var gateway = await ServiceHost.Start(
            "Development",
            new() { [DevelopmentKeys.PodVariable] = "10.96.0.1", ["Platform:InternalToken:SigningKey"] = gatewayKey.ExportPkcs8PrivateKeyPem() },
            mintsTokens: true);

        var token = gateway.Services.GetRequiredService<InternalTokenIssuer>().Mint(Admin, "tenant");
        Assert.Equal(HttpStatusCode.OK, await gateway.Call(token));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_process_using_development_keys_logs_a_warning_at_startup(bool mintsTokens)
    {
        await using var process = await ServiceHost.Start("Testing", [], mintsTokens);

        var warning = Assert.Single(process.Logs, line => line.Contains("published development key", StringComparison.Ordinal));
        Assert.StartsWith("Warning", warning, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await process.Call(InternalTokens.For(Admin, "tenant")));
    }

    [Fact]
    public async Task A_service_holds_no_private_key_and_cannot_mint_internal_tokens()
    {
        await using var service = await ServiceHost.Start("Testing", []);

        Assert.Null(service.Services.GetService<InternalTokenIssuer>());
        Assert.Null(service.Services.GetRequiredService<InternalTokenKeys>().Signing);
        Assert.Equal("tenant", service.Services.GetRequiredService<IOptions<InternalTokenOptions>>().Value.Audience);
    }

    [Theory]
    [InlineData("rsa", "is not an ECDSA key")]
    [InlineData("p384", "P-256")]
    [InlineData("public-only", "holds only a public key")]
    [InlineData("hmac-secret", "is not an ECDSA key")]
    public async Task A_signing_key_that_is_not_a_P256_private_key_fails_at_startup(string key, string why)
    {
        using var rsa = RSA.Create(2048);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = key switch
        {
            "rsa" => rsa.ExportPkcs8PrivateKeyPem(),
            "p384" => p384.ExportPkcs8PrivateKeyPem(),
            "public-only" => p256.ExportSubjectPublicKeyInfoPem(),
            _ => "gocoffee-development-internal-token-key-0123456789",
        };

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => ServiceHost.Start("Production", new() { ["Platform:InternalToken:SigningKey"] = pem }, mintsTokens: true));
        Assert.Contains("Platform:InternalToken:SigningKey", failure.Message, StringComparison.Ordinal);
        Assert.Contains(why, failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(pem, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_development_a_service_without_a_public_key_refuses_to_start()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => ServiceHost.Start("Production", []));
        Assert.Contains("Platform:InternalToken:PublicKey", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>Only the internal identity of the defaults, on Kestrel, behind one endpoint that needs a caller; logs captured.</summary>
    private sealed class ServiceHost : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly HttpClient _client;

        private ServiceHost(WebApplication app, ConcurrentQueue<string> logs)
        {
            _app = app;
            Logs = logs;
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            _client = new HttpClient { BaseAddress = new Uri(address) };
        }

        public IReadOnlyCollection<string> Logs { get; }

        public IServiceProvider Services => _app.Services;

        public static async Task<ServiceHost> Start(string environment, Dictionary<string, string?> settings, bool mintsTokens = false)
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Urls"] = "http://127.0.0.1:0", [DevelopmentKeys.PodVariable] = string.Empty });
            builder.Configuration.AddInMemoryCollection(settings);
            var logs = new ConcurrentQueue<string>();
            builder.Logging.ClearProviders().AddProvider(new CapturingLoggerProvider(logs));
            builder.Services.AddSingleton(TimeProvider.System);
            builder.AddInternalIdentity(Tenant);
            if (mintsTokens)
            {
                builder.AddInternalTokenIssuer();
            }

            var app = builder.Build();
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapGet("/api/tenants/whoami", (HttpContext http) => http.User.Identity?.Name);
            try
            {
                await app.StartAsync();
            }
            catch
            {
                await app.DisposeAsync();
                throw;
            }

            return new ServiceHost(app, logs);
        }

        public async Task<HttpStatusCode> Call(string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/tenants/whoami");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await _client.SendAsync(request);
            return response.StatusCode;
        }

        public async ValueTask DisposeAsync()
        {
            _client.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
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

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
        }
    }
}
