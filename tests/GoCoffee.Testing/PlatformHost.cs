using GoCoffee.ServiceDefaults;
using GoCoffee.ServiceDefaults.Security;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GoCoffee.Testing;

/// <summary>
/// A platform service running for real inside the test process: Kestrel on a free loopback port, its own PostgreSQL
/// database and RabbitMQ virtual host. Disposing it and starting another on the same database is a restart.
/// </summary>
public sealed class PlatformHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    /// <summary>Who <see cref="Client"/> acts as: a platform admin, as the gateway would name an operator.</summary>
    public const string PlatformAdminActor = "test:platform-admin";

    private readonly List<HttpClient> _clients = [];

    private PlatformHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Client = ClientFor(InternalCaller.PlatformAdmin(PlatformAdminActor));
    }

    public Uri Address { get; }

    /// <summary>Calls the service as the gateway forwards a platform admin's request: with a platform-admin internal token.</summary>
    public HttpClient Client { get; }

    /// <summary>The audience the service accepts internal tokens for (its name, unless configured otherwise).</summary>
    public string InternalAudience => Services.GetRequiredService<IOptions<InternalTokenOptions>>().Value.Audience!;

    /// <summary>
    /// A client whose requests carry an internal token for <paramref name="caller"/>, for this service's audience, signed
    /// with the development private key as a gateway with development keys signs it (services hold no private key).
    /// </summary>
    public HttpClient ClientFor(InternalCaller caller)
    {
        var client = new HttpClient(new InternalTokenHandler(InternalTokens.Development, caller, InternalAudience) { InnerHandler = new SocketsHttpHandler() })
        {
            BaseAddress = Address,
        };
        _clients.Add(client);
        return client;
    }

    /// <summary>A client scoped to one tenant, as the gateway forwards a request made with that tenant's API key.</summary>
    public HttpClient ClientForTenant(string tenantId, string? actor = null) => ClientFor(InternalCaller.ForTenant(actor ?? $"test:tenant:{tenantId}", tenantId));

    /// <summary>A client with no token at all: a caller that went around the gateway.</summary>
    public HttpClient AnonymousClient()
    {
        var client = new HttpClient { BaseAddress = Address };
        _clients.Add(client);
        return client;
    }

    public IServiceProvider Services => _app.Services;

    public static async Task<PlatformHost> Start(
        TestDatabase database,
        TestVirtualHost virtualHost,
        Action<WebApplicationBuilder> addService,
        Action<WebApplication> mapService,
        IDictionary<string, string?>? settings = null,
        string? appSettingsFile = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });

        // A test output folder holds the appsettings.json of only one of the projects it references: a service whose
        // settings matter (the gateway's routes) names its own file, which the test settings below still override.
        if (appSettingsFile is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(appSettingsFile), optional: false);
        }

        var configuration = new Dictionary<string, string?>
        {
            // A free port, whatever the service's own appsettings.json says (a platform started by run.sh may hold it).
            ["Urls"] = "http://127.0.0.1:0",
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
            ["ConnectionStrings:RabbitMq"] = virtualHost.ConnectionString,
            ["Messaging:BrokerUserPrefix"] = virtualHost.UserPrefix,
            ["Messaging:Outbox:PollInterval"] = "00:00:00.100",
            ["Serilog:MinimumLevel:Default"] = "Warning",

            // Tests run the platform's processes locally with development keys even when the test runner itself runs in
            // a Kubernetes pod (a CI runner): a process that sees this variable refuses development keys.
            [DevelopmentKeys.PodVariable] = string.Empty,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        addService(builder);

        // A platform process logs in as its own broker user, with production's permissions, unless the test names a login.
        var identity = builder.Services.Select(service => service.ImplementationInstance).OfType<ServiceIdentity>().FirstOrDefault();
        if (identity is not null && virtualHost.HasUserFor(identity.Name) && settings?.ContainsKey("ConnectionStrings:RabbitMq") != true)
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:RabbitMq"] = virtualHost.ConnectionStringFor(identity.Name) });
        }
        var app = builder.Build();
        mapService(app);
        await app.StartAsync();
        await app.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(30));
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new PlatformHost(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        _clients.ForEach(client => client.Dispose());
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Puts an internal token on every request, as the gateway does when it forwards one.</summary>
public sealed class InternalTokenHandler(InternalTokenIssuer issuer, InternalCaller caller, string audience) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", issuer.Mint(caller, audience));
        return base.SendAsync(request, cancellationToken);
    }
}
