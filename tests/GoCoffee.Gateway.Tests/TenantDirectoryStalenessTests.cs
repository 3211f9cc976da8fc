using System.Net;
using System.Text.Json;
using GoCoffee.ServiceDefaults;
using GoCoffee.Tenant;
using GoCoffee.Testing;

namespace GoCoffee.Gateway.Tests;

/// <summary>
/// A gateway whose tenant directory cannot be read again stops reporting ready once its picture is older than the
/// staleness allowed. A platform of its own (a tenant service and a gateway), since the tenant service is stopped.
/// </summary>
public sealed class TenantDirectoryStalenessTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private TestVirtualHost _virtualHost = null!;
    private PlatformHost? _tenants;
    private PlatformHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.Create();
        _virtualHost = await TestVirtualHost.Create();
        _tenants = await PlatformHost.Start(_database, _virtualHost, builder => builder.AddTenantService(), app =>
        {
            app.MapDefaultEndpoints();
            app.MapTenantApi();
        });
        var nowhere = "http://127.0.0.1:9";
        _gateway = await PlatformHost.Start(
            _database,
            _virtualHost,
            builder => builder.AddGateway(),
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapGateway();
            },
            new Dictionary<string, string?>
            {
                ["ReverseProxy:Clusters:tenant:Destinations:primary:Address"] = _tenants.Address.ToString(),
                ["ReverseProxy:Clusters:ai-workload:Destinations:primary:Address"] = nowhere,
                ["ReverseProxy:Clusters:web3:Destinations:primary:Address"] = nowhere,
                ["ReverseProxy:Clusters:orders:Destinations:primary:Address"] = nowhere,
                ["ReverseProxy:Clusters:observability:Destinations:primary:Address"] = nowhere,
                ["Gateway:TenantDirectory:RefreshInterval"] = "00:00:00.200",
                ["Gateway:TenantDirectory:Staleness"] = "00:00:02",
                ["Gateway:TenantDirectory:MaxRetryDelay"] = "00:00:00.200",
                ["Serilog:MinimumLevel:Override:Yarp.ReverseProxy.Health"] = "Error",
            },
            Path.Combine(AppContext.BaseDirectory, "gateway.appsettings.json"));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        if (_tenants is not null)
        {
            await _tenants.DisposeAsync();
        }

        await _virtualHost.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task The_gateway_is_not_ready_once_its_tenant_directory_is_older_than_the_staleness_allowed()
    {
        using var operatorClient = new HttpClient { BaseAddress = _gateway.Address };
        operatorClient.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", DevelopmentTokens.PlatformAdmin());

        await TestInfrastructure.Eventually(
            async () => (await DirectoryCheck(operatorClient)).Status == "Healthy" ? (bool?)true : null,
            TimeSpan.FromSeconds(30),
            "the gateway loads the tenant directory");

        // The directory is read every 200 ms while the tenant service answers: it stays fresh past the staleness allowed.
        var loadedAt = DateTimeOffset.UtcNow;
        await TestInfrastructure.Eventually(
            async () => DateTimeOffset.UtcNow - loadedAt > TimeSpan.FromSeconds(3) ? (bool?)true : (await DirectoryCheck(operatorClient)).Status == "Healthy" ? null : throw new InvalidOperationException("stale while the tenant service answers"),
            TimeSpan.FromSeconds(10),
            "the directory stays fresh while the tenant service answers");

        await _tenants!.DisposeAsync();
        _tenants = null;

        var description = await TestInfrastructure.Eventually(
            async () => await DirectoryCheck(operatorClient) is { Status: "Unhealthy" } check ? check.Description : null,
            TimeSpan.FromSeconds(30),
            "the gateway reports its tenant directory stale");
        Assert.Contains("stale", description, StringComparison.Ordinal);
        Assert.Contains("more than the 2 s allowed", description, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await DirectoryCheck(operatorClient)).HttpStatus);
    }

    private static async Task<(string Status, string Description, HttpStatusCode HttpStatus)> DirectoryCheck(HttpClient client)
    {
        using var response = await client.GetAsync("/health/ready");
        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var check = report.RootElement.GetProperty("checks").GetProperty("tenant-directory");
        return (check.GetProperty("status").GetString()!, check.GetProperty("description").GetString() ?? string.Empty, response.StatusCode);
    }
}
