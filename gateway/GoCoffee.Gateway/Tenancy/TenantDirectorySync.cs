using System.Net.Http.Headers;
using System.Net.Http.Json;
using GoCoffee.Contracts.Tenants;
using GoCoffee.ServiceDefaults;
using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.ServiceDefaults.Security;
using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;

namespace GoCoffee.Gateway.Tenancy;

/// <summary><c>Gateway:TenantDirectory</c>: where the gateway reads its starting picture of tenants and keys, and how often again.</summary>
public sealed class TenantDirectoryOptions
{
    public const string Section = "Gateway:TenantDirectory";

    /// <summary>The reverse-proxy cluster of the tenant service: its first destination serves <c>/api/tenants/_directory</c>.</summary>
    public string Cluster { get; set; } = "tenant";

    /// <summary>A safety net besides the events: the directory is read again this often.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How old the last full read of the directory may get while new reads fail (the tenant service is down or unreachable)
    /// before the gateway reports not ready rather than admit callers on an old picture. Longer than <see cref="RefreshInterval"/>.
    /// </summary>
    public TimeSpan Staleness { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Tenants per page of the directory (the tenant service serves at most 1000).</summary>
    public int PageSize { get; set; } = 500;

    /// <summary>The longest wait between attempts while the tenant service does not answer.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// The directory's two feeds. Events: MassTransit on a receive endpoint of this instance alone (non-durable,
/// auto-delete, named after the instance), so every replica sees every event. Snapshot: the tenant service's directory,
/// read at startup, after every (re)connection of that endpoint (events published while it was gone are lost to it),
/// and every <see cref="TenantDirectoryOptions.RefreshInterval"/>.
/// </summary>
public static class TenantDirectorySync
{
    public const string HttpClientName = "tenant-directory";
    public const string HealthCheckName = "tenant-directory";

    public static IHostApplicationBuilder AddTenantDirectory(this IHostApplicationBuilder builder, ServiceIdentity identity)
    {
        builder.Services.AddOptions<TenantDirectoryOptions>()
            .Bind(builder.Configuration.GetSection(TenantDirectoryOptions.Section))
            .Validate(options => options.PageSize is >= 1 and <= 1000, $"{TenantDirectoryOptions.Section}:PageSize must be between 1 and 1000.")
            .Validate(options => options.RefreshInterval > TimeSpan.Zero, $"{TenantDirectoryOptions.Section}:RefreshInterval must be positive.")
            .Validate(options => options.Staleness > options.RefreshInterval, $"{TenantDirectoryOptions.Section}:Staleness must be longer than its RefreshInterval.")
            .ValidateOnStart();
        builder.Services.AddSingleton<TenantDirectory>();
        builder.Services.AddSingleton<TenantDirectoryLoader>();
        builder.Services.AddHostedService(services => services.GetRequiredService<TenantDirectoryLoader>());
        builder.Services.AddHttpClient(HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        builder.Services.AddHealthChecks().AddCheck<TenantDirectoryHealthCheck>(HealthCheckName, tags: [ServiceDefaults.Health.Ready]);

        // Checked now, so a missing or anonymous broker login fails the start; read again when the bus is built.
        MessagingExtensions.BrokerAddress(builder.Configuration, builder.Environment);
        builder.Services.AddBrokerUsers(builder.Configuration);
        // One queue per gateway host (even two in one process, as in tests): each must see every event.
        var queue = $"{identity.Name}-tenant-directory-{identity.Instance}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}".ToLowerInvariant();
        builder.Services.AddMassTransit(bus =>
        {
            bus.DisableUsageReporting();
            bus.AddConsumer<TenantDirectoryConsumer>();

            // The bus is not part of readiness: without it the gateway still serves, and reloads the directory on reconnection.
            bus.ConfigureHealthCheckOptions(options =>
            {
                options.Tags.Clear();
                options.Tags.Add("masstransit");
            });
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.UsePlatformBroker(MessagingExtensions.BrokerAddress(context.GetRequiredService<IConfiguration>(), context.GetRequiredService<IHostEnvironment>()), identity);

                // Only the tenant service's directory events are applied (TrustedSenders); anything else is refused.
                rabbit.UseConsumeFilter(typeof(TrustedSenderFilter<>), context);
                rabbit.ReceiveEndpoint(queue, endpoint =>
                {
                    endpoint.UseSenderNeutralMoves();
                    endpoint.Durable = false;
                    endpoint.AutoDelete = true;
                    endpoint.PrefetchCount = 64;
                    endpoint.UseMessageRetry(retry =>
                    {
                        retry.Immediate(3);
                        retry.Ignore<UntrustedSenderException>();
                    });
                    endpoint.ConnectReceiveEndpointObserver(context.GetRequiredService<TenantDirectoryLoader>());
                    endpoint.ConfigureConsumer<TenantDirectoryConsumer>(context);
                });
            });
        });
        builder.Services.Configure<MassTransitHostOptions>(options =>
        {
            options.WaitUntilStarted = false;
            options.StopTimeout = TimeSpan.FromSeconds(10);
        });
        return builder;
    }
}

/// <summary>Reads the tenant service's directory into <see cref="TenantDirectory"/>, retrying until it answers.</summary>
public sealed class TenantDirectoryLoader(
    TenantDirectory directory,
    IHttpClientFactory clients,
    IProxyStateLookup proxy,
    InternalTokenIssuer tokens,
    IOptions<TenantDirectoryOptions> options,
    ILogger<TenantDirectoryLoader> logger) : BackgroundService, IReceiveEndpointObserver
{
    public const string Actor = "system:gateway";

    private readonly SemaphoreSlim _refresh = new(0, 1);

    /// <summary>Whether the gateway's event endpoint is connected (if not, events wait for the snapshot after reconnection).</summary>
    public bool Listening { get; private set; }

    public string? LastError { get; private set; }

    public void RequestRefresh()
    {
        try
        {
            _refresh.Release();
        }
        catch (SemaphoreFullException)
        {
            // A refresh is already requested.
        }
    }

    public Task Ready(ReceiveEndpointReady ready)
    {
        Listening = true;
        RequestRefresh();
        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping)
    {
        Listening = false;
        return Task.CompletedTask;
    }

    public Task Completed(ReceiveEndpointCompleted completed)
    {
        Listening = false;
        return Task.CompletedTask;
    }

    public Task Faulted(ReceiveEndpointFaulted faulted)
    {
        Listening = false;
        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await LoadUntilDone(stoppingToken);
            try
            {
                await _refresh.WaitAsync(options.Value.RefreshInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task LoadUntilDone(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            directory.BeginRefresh();
            try
            {
                var (tenants, keys) = await ReadAllPages(stoppingToken);
                directory.CompleteRefresh(tenants, keys);
                LastError = null;
                logger.LogInformation("Tenant directory loaded: {Tenants} tenants, {Keys} API keys", directory.TenantCount, directory.KeyCount);
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException or System.Text.Json.JsonException)
            {
                directory.AbandonRefresh();
                if (stoppingToken.IsCancellationRequested)
                {
                    return;
                }

                LastError = ex.Message;
                logger.LogWarning("Tenant directory not loaded ({Error}); retrying in {Delay} ms", ex.Message, delay.TotalMilliseconds);
            }

            try
            {
                await Task.Delay(delay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.Value.MaxRetryDelay.Ticks));
        }
    }

    /// <summary>Every page of the directory, from the first to the one without a next cursor.</summary>
    private async Task<(List<TenantAccess> Tenants, List<ApiKeyIssued> Keys)> ReadAllPages(CancellationToken cancellationToken)
    {
        var cluster = options.Value.Cluster;
        if (!proxy.TryGetCluster(cluster, out var state) || state.Destinations.Values.FirstOrDefault() is not { } destination)
        {
            throw new InvalidOperationException($"The reverse proxy has no cluster '{cluster}' with a destination to read the tenant directory from.");
        }

        var audience = Forwarding.ForwardedIdentity.AudienceOf(state.Model.Config) ?? cluster;
        var directoryAddress = new Uri(new Uri(destination.Model.Config.Address.TrimEnd('/') + "/"), "api/tenants/_directory");
        var tenants = new List<TenantAccess>();
        var keys = new List<ApiKeyIssued>();
        string? after = null;
        do
        {
            var query = $"?limit={options.Value.PageSize}" + (after is null ? string.Empty : $"&after={Uri.EscapeDataString(after)}");
            var page = await Read(new Uri(directoryAddress + query), audience, cancellationToken);
            tenants.AddRange(page.Tenants);
            keys.AddRange(page.ApiKeys);
            if (page.Next is not null && page.Next == after)
            {
                throw new InvalidOperationException($"{directoryAddress} answered the same cursor again ('{after}').");
            }

            after = page.Next;
        }
        while (after is not null);

        return (tenants, keys);
    }

    private async Task<Contracts.Tenants.TenantDirectory> Read(Uri address, string audience, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, address);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Mint(InternalCaller.PlatformAdmin(Actor), audience));
        using var response = await clients.CreateClient(TenantDirectorySync.HttpClientName).SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{address} answered {(int)response.StatusCode}");
        }

        return await response.Content.ReadFromJsonAsync<Contracts.Tenants.TenantDirectory>(cancellationToken)
               ?? throw new InvalidOperationException($"{address} answered an empty directory.");
    }
}

/// <summary>
/// Ready once the directory was loaded (before that no API key can be checked), and not ready again when it could not
/// be read for longer than <see cref="TenantDirectoryOptions.Staleness"/>: callers are not admitted on an old picture forever.
/// </summary>
internal sealed class TenantDirectoryHealthCheck(TenantDirectory directory, TenantDirectoryLoader loader, IOptions<TenantDirectoryOptions> options, TimeProvider clock) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (directory.LoadedAt is not { } loaded)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"The tenant directory was not loaded yet: {loader.LastError ?? "loading"}"));
        }

        var age = clock.GetUtcNow() - loaded;
        var staleness = options.Value.Staleness;
        return Task.FromResult(age > staleness
            ? HealthCheckResult.Unhealthy($"The tenant directory is stale: last read in full {loaded:O}, {age.TotalSeconds:0} s ago (more than the {staleness.TotalSeconds:0} s allowed); reading it fails: {loader.LastError ?? "no attempt finished since"}")
            : HealthCheckResult.Healthy($"{directory.TenantCount} tenants, {directory.KeyCount} API keys; loaded {loaded:O}; events {(loader.Listening ? "connected" : "disconnected (the directory is read again on reconnection)")}"));
    }
}
