using System.Net.Http.Json;
using System.Text;
using GoCoffee.ServiceDefaults;
using GoCoffee.Testing;

namespace GoCoffee.Tenant.Tests;

/// <summary>The tenant service for real, on its own database and virtual host, shared by one test class.</summary>
public sealed class TenantHost : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private TestVirtualHost _virtualHost = null!;

    public PlatformHost Host { get; private set; } = null!;

    public HttpClient Client => Host.Client;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.Create();
        _virtualHost = await TestVirtualHost.Create();
        Host = await PlatformHost.Start(
            _database,
            _virtualHost,
            builder => builder.AddTenantService(),
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapTenantApi();
            });
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await _virtualHost.DisposeAsync();
        await _database.DisposeAsync();
    }

    public Task<HttpResponseMessage> PostYaml(string yaml, string? idempotencyKey = null) => Post(yaml, "application/yaml", idempotencyKey);

    public Task<HttpResponseMessage> PostJson(string json, string? idempotencyKey = null) => Post(json, "application/json", idempotencyKey);

    private async Task<HttpResponseMessage> Post(string body, string contentType, string? idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/tenants") { Content = new StringContent(body, Encoding.UTF8, contentType) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await Client.SendAsync(request);
    }
}
