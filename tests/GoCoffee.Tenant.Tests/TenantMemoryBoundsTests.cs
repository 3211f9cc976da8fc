using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoCoffee.ServiceDefaults;
using GoCoffee.Tenant.ApiKeys;
using GoCoffee.Testing;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using static GoCoffee.Tenant.Tests.TenantApiTests;

namespace GoCoffee.Tenant.Tests;

/// <summary>What a tenant can make the platform remember is bounded: live keys, revoked keys' records, audit pages.</summary>
public sealed class TenantMemoryBoundsTests(BoundedTenantHost tenants) : IClassFixture<BoundedTenantHost>
{
    [Fact]
    public async Task A_tenant_may_hold_at_most_the_configured_number_of_live_api_keys_and_a_revoked_one_frees_a_place()
    {
        var initialKey = await Create("many-keys");
        Assert.Equal(HttpStatusCode.Created, (await IssueKey("many-keys")).StatusCode);
        using var third = await IssueKey("many-keys");
        Assert.Equal(HttpStatusCode.Created, third.StatusCode);

        using var fourth = await IssueKey("many-keys");
        var problem = await AssertProblem(fourth, HttpStatusCode.Conflict, "apiKeys");
        Assert.Contains($"max {BoundedTenantHost.MaxLiveKeys}", problem, StringComparison.Ordinal);

        // A rotation replaces a key, so it is allowed at the maximum; a revocation frees a place.
        Assert.Equal(HttpStatusCode.Created, (await tenants.Client.PostAsync($"/api/tenants/many-keys/api-keys/{initialKey}/rotate", null)).StatusCode);
        var thirdId = (await third.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.OK, (await tenants.Client.DeleteAsync($"/api/tenants/many-keys/api-keys/{thirdId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await IssueKey("many-keys")).StatusCode);
        await AssertProblem(await IssueKey("many-keys"), HttpStatusCode.Conflict, "apiKeys");
    }

    [Fact]
    public async Task Revoked_key_records_are_deleted_by_the_background_pruner_once_the_retention_period_has_passed_and_not_before()
    {
        var live = await Create("pruned");
        var early = await IssuedKeyId(await IssueKey("pruned"));
        var late = await IssuedKeyId(await IssueKey("pruned"));
        Assert.Equal(HttpStatusCode.OK, (await tenants.Client.DeleteAsync($"/api/tenants/pruned/api-keys/{early}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tenants.Client.DeleteAsync($"/api/tenants/pruned/api-keys/{late}")).StatusCode);

        // The second key stands for one revoked 20 days after the first (requests cannot be sent from a clock moved ahead:
        // their tokens would not be valid yet).
        var store = tenants.Host.Services.GetRequiredService<IDocumentStore>();
        await using (var session = store.LightweightSession())
        {
            var key = (await session.LoadAsync<ApiKey>(late))!;
            key.RevokedAt = key.RevokedAt!.Value.AddDays(20);
            session.Store(key);
            await session.SaveChangesAsync();
        }

        try
        {
            tenants.Clock.Advance(TimeSpan.FromDays(31));
            await TestInfrastructure.Eventually(async () => await Exists(store, early) ? null : (bool?)true, TimeSpan.FromSeconds(15), "the pruner deletes the key revoked 31 days ago");
            Assert.True(await Exists(store, late), "a key revoked 11 days ago was deleted within its 30-day retention");
            Assert.True(await Exists(store, live), "a live key was deleted");

            tenants.Clock.Advance(TimeSpan.FromDays(20));
            await TestInfrastructure.Eventually(async () => await Exists(store, late) ? null : (bool?)true, TimeSpan.FromSeconds(15), "the pruner deletes the second key once it is 31 days revoked");
            Assert.True(await Exists(store, live), "a live key was deleted");
        }
        finally
        {
            // The host's own tokens are minted on this clock: the other tests need it back.
            tenants.Clock.Reset();
        }
    }

    [Fact]
    public async Task The_audit_trail_is_served_in_pages_linked_by_next_and_bad_paging_is_refused_naming_the_parameter()
    {
        await Create("paged-audit");
        for (var i = 0; i < 5; i++)
        {
            var id = await IssuedKeyId(await IssueKey("paged-audit"));
            Assert.Equal(HttpStatusCode.OK, (await tenants.Client.DeleteAsync($"/api/tenants/paged-audit/api-keys/{id}")).StatusCode);
        }

        var versions = new List<long>();
        string? next = "/api/tenants/paged-audit/audit?limit=3";
        var pages = 0;
        while (next is not null)
        {
            using var response = await tenants.Client.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(e => e.GetProperty("version").GetInt64()).ToList();
            Assert.InRange(page.Count, 1, 3);
            versions.AddRange(page);
            pages++;
            next = response.Headers.TryGetValues("Link", out var links) ? NextLink(Assert.Single(links)) : null;
            Assert.True(next is null || page.Count == 3, "only a full page links to a next one");
        }

        // 2 events at creation, then 2 per round (a key added, then withdrawn), perhaps one more from the saga.
        Assert.True(pages >= 4, $"{versions.Count} events in {pages} pages of 3");
        Assert.Equal(Enumerable.Range(1, versions.Count).Select(v => (long)v), versions);
        var whole = await tenants.Client.GetFromJsonAsync<JsonElement>($"/api/tenants/paged-audit/audit?limit={Api.TenantsApi.MaxAuditPageSize}");
        Assert.Equal(versions, whole.EnumerateArray().Select(e => e.GetProperty("version").GetInt64()).Take(versions.Count));
        // The lifecycle saga may still be appending: after the last version read, only newer events come.
        var afterAll = await tenants.Client.GetFromJsonAsync<JsonElement>($"/api/tenants/paged-audit/audit?after={whole.GetArrayLength()}");
        Assert.All(afterAll.EnumerateArray(), e => Assert.True(e.GetProperty("version").GetInt64() > whole.GetArrayLength()));

        foreach (var (query, field) in new[] { ("limit=0", "limit"), ($"limit={Api.TenantsApi.MaxAuditPageSize + 1}", "limit"), ("limit=ten", "limit"), ("after=-1", "after"), ("after=x", "after") })
        {
            await AssertProblem(await tenants.Client.GetAsync($"/api/tenants/paged-audit/audit?{query}"), HttpStatusCode.BadRequest, field);
        }
    }

    private static string NextLink(string header)
    {
        Assert.EndsWith("; rel=\"next\"", header, StringComparison.Ordinal);
        return header[(header.IndexOf('<', StringComparison.Ordinal) + 1)..header.IndexOf('>', StringComparison.Ordinal)];
    }

    private async Task<string> Create(string tenantId)
    {
        using var created = await tenants.Client.PostAsync("/api/tenants", new StringContent(Document(tenantId, "basic"), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("apiKey").GetProperty("id").GetString()!;
    }

    private Task<HttpResponseMessage> IssueKey(string tenantId) => tenants.Client.PostAsync($"/api/tenants/{tenantId}/api-keys", null);

    private static async Task<string> IssuedKeyId(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }
    }

    private static async Task<bool> Exists(IDocumentStore store, string keyId)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<ApiKey>(keyId) is not null;
    }
}

/// <summary>The tenant service with a small key limit, a pruner that runs every 200 ms and a clock the test moves.</summary>
public sealed class BoundedTenantHost : IAsyncLifetime
{
    public const int MaxLiveKeys = 3;

    private TestDatabase _database = null!;
    private TestVirtualHost _virtualHost = null!;

    public AdjustableClock Clock { get; } = new();

    public PlatformHost Host { get; private set; } = null!;

    public HttpClient Client => Host.Client;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.Create();
        _virtualHost = await TestVirtualHost.Create();
        Host = await PlatformHost.Start(
            _database,
            _virtualHost,
            builder =>
            {
                builder.Services.AddSingleton<TimeProvider>(Clock);
                builder.AddTenantService();
            },
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapTenantApi();
            },
            new Dictionary<string, string?>
            {
                [$"{ApiKeyOptions.Section}:MaxLivePerTenant"] = MaxLiveKeys.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [$"{ApiKeyOptions.Section}:RevokedRetention"] = "30.00:00:00",
                [$"{ApiKeyOptions.Section}:PruneInterval"] = "00:00:00.200",
            });
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await _virtualHost.DisposeAsync();
        await _database.DisposeAsync();
    }
}

/// <summary>The system clock, moved forward on demand (timers keep real time).</summary>
public sealed class AdjustableClock : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public void Reset() => Interlocked.Exchange(ref _offsetTicks, 0);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}
