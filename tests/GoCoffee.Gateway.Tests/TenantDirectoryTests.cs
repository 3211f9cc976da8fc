using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoCoffee.Contracts.Tenants;
using GoCoffee.Gateway.Callers;
using GoCoffee.Gateway.Tenancy;
using GoCoffee.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace GoCoffee.Gateway.Tests;

/// <summary>The gateway's tenant directory: read in pages from the tenant service, kept current by versioned events.</summary>
[Collection(GatewayCollection.Name)]
public sealed class TenantDirectoryTests(GatewayPlatform platform)
{
    [Fact]
    public async Task A_redelivered_TenantActivated_after_TenantSuspended_leaves_the_tenant_suspended()
    {
        var suspended = platform.Directory.FindTenant("sleepy");
        Assert.True(suspended is { Suspended: true }, "sleepy starts suspended");

        // The TenantActivated sleepy's onboarding published, as a redelivery (or the outbox's second send) would bring it
        // back: same content, same version — that of the tenant's MonitoringConfigured event (onboarding's last step).
        using var audit = await platform.Tenants.Client.GetAsync("/api/tenants/sleepy/audit");
        using var entries = JsonDocument.Parse(await audit.Content.ReadAsStringAsync());
        var provisioned = entries.RootElement.EnumerateArray().First(e => e.GetProperty("event").GetString()!.Contains("monitoring_configured", StringComparison.OrdinalIgnoreCase));
        var version = provisioned.GetProperty("version").GetInt64();
        Assert.True(version < suspended!.Version, $"activation (v{version}) came before the suspension (v{suspended.Version})");
        var stale = new TenantActivated(
            TenantCorrelation.For("sleepy"), "sleepy", "basic", ["sleepy-1"], DateTimeOffset.UtcNow.AddMinutes(-5), suspended.RateLimitPerMinute, [.. suspended.Features], version);

        var consumed = new ConsumedBy<TenantActivated>(message => message.TenantId == "sleepy");
        using var observing = platform.Gateway.Services.GetRequiredService<IBus>().ConnectConsumeMessageObserver(consumed);
        var bus = platform.Tenants.Services.GetRequiredService<IBus>();
        await bus.Publish(stale);
        await bus.Publish(stale);
        await TestInfrastructure.Eventually(
            () => Task.FromResult(consumed.Count >= 2 ? (bool?)true : null),
            TimeSpan.FromSeconds(30),
            "the gateway consumes both copies of the stale TenantActivated");

        Assert.True(platform.Directory.FindTenant("sleepy") is { Suspended: true, SuspensionReason: "unpaid invoice 2024-117" }, "sleepy is still suspended");
        using var client = platform.AsTenant("sleepy");
        await Problem.Assert(await client.GetAsync("/api/tenants/sleepy"), HttpStatusCode.Forbidden, "suspended");
    }

    [Fact]
    public async Task The_directory_is_served_in_pages_of_at_most_the_limit_in_tenant_id_order_each_tenant_with_its_stream_version()
    {
        var all = await Page(limit: 1000, after: null);
        Assert.Null(all.Next);
        Assert.True(all.Tenants.Count >= 6, $"the seeded tenants: {all.Tenants.Count}");

        var tenants = new List<TenantAccess>();
        var keys = new List<ApiKeyIssued>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await Page(limit: 2, after);
            Assert.True(page.Tenants.Count <= 2, $"page {pages + 1} holds {page.Tenants.Count} tenants");
            tenants.AddRange(page.Tenants);
            keys.AddRange(page.ApiKeys);
            after = page.Next;
            pages++;
            Assert.True(pages <= all.Tenants.Count + 1, "the cursor moves on");
        }
        while (after is not null);

        Assert.True(pages >= 3, $"{all.Tenants.Count} tenants in pages of 2 take at least 3 pages, not {pages}");
        Assert.Equal(all.Tenants.Select(t => t.TenantId), tenants.Select(t => t.TenantId));
        Assert.Equal(all.Tenants.Select(t => t.TenantId).Order(StringComparer.Ordinal), tenants.Select(t => t.TenantId));
        Assert.Equal(all.ApiKeys.Select(k => k.KeyId).Order(), keys.Select(k => k.KeyId).Order());
        Assert.Contains(keys, key => key.KeyId == platform.KeyOf("alpha").KeyId);

        // The version is the tenant's event-stream version: the last entry of its audit trail.
        using var audit = await platform.Tenants.Client.GetAsync("/api/tenants/alpha/audit");
        using var entries = JsonDocument.Parse(await audit.Content.ReadAsStringAsync());
        var streamVersion = entries.RootElement.EnumerateArray().Max(e => e.GetProperty("version").GetInt64());
        Assert.Equal(streamVersion, tenants.Single(t => t.TenantId == "alpha").Version);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    public async Task A_directory_page_larger_than_the_bound_is_refused_naming_limit(string limit)
    {
        using var response = await platform.Tenants.Client.GetAsync($"/api/tenants/_directory?limit={limit}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Contains("limit", text, StringComparison.Ordinal);
        Assert.Contains("between 1 and 1000", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_gateway_reads_every_page_of_the_directory()
    {
        var loader = platform.Gateway.Services.GetRequiredService<TenantDirectoryLoader>();
        var before = platform.Directory.LoadedAt;
        loader.RequestRefresh();
        await TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Directory.LoadedAt > before ? (bool?)true : null),
            TimeSpan.FromSeconds(30),
            "the gateway reads the directory again");

        // The fixture's gateway reads pages of two tenants: every tenant and every key of the service's directory is known.
        var all = await Page(limit: 1000, after: null);
        Assert.All(all.Tenants, tenant => Assert.True(platform.Directory.FindTenant(tenant.TenantId) is not null, $"the gateway knows {tenant.TenantId}"));
        Assert.All(all.ApiKeys, key => Assert.True(platform.Directory.FindKey(key.KeyHash) is not null, $"the gateway knows key {key.KeyId}"));
        Assert.Equal(all.Tenants.Count, platform.Directory.TenantCount);
        Assert.NotNull(platform.Directory.FindKey(ApiKeyAuthentication.HashOf(platform.KeyOf("sleepy").Key)));
    }

    private async Task<Contracts.Tenants.TenantDirectory> Page(int limit, string? after)
    {
        var query = $"/api/tenants/_directory?limit={limit}" + (after is null ? string.Empty : $"&after={Uri.EscapeDataString(after)}");
        using var response = await platform.Tenants.Client.GetAsync(query);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<Contracts.Tenants.TenantDirectory>())!;
    }

    /// <summary>Counts the messages of one type (matching a filter) the gateway's consumers finished with.</summary>
    private sealed class ConsumedBy<T>(Func<T, bool> filter) : IConsumeMessageObserver<T>
        where T : class
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public Task PreConsume(ConsumeContext<T> context) => Task.CompletedTask;

        public Task PostConsume(ConsumeContext<T> context)
        {
            if (filter(context.Message))
            {
                Interlocked.Increment(ref _count);
            }

            return Task.CompletedTask;
        }

        public Task ConsumeFault(ConsumeContext<T> context, Exception exception) => Task.CompletedTask;
    }
}

/// <summary>The directory's rules, without a bus: versions decide, whichever order events and snapshots come in.</summary>
public sealed class TenantDirectoryVersionTests
{
    private static readonly Guid Correlation = TenantCorrelation.For("acme");

    private readonly Tenancy.TenantDirectory _directory = new(TimeProvider.System);

    [Fact]
    public void An_event_older_than_or_as_old_as_what_is_held_changes_nothing()
    {
        _directory.Apply(Activated(version: 5));
        _directory.Apply(new TenantSuspended(Correlation, "acme", "unpaid", DateTimeOffset.UtcNow, Version: 7));
        _directory.Apply(Activated(version: 5));
        _directory.Apply(new TenantResumed(Correlation, "acme", DateTimeOffset.UtcNow, Version: 7));
        _directory.Apply(new TenantTierChanged(Correlation, "acme", "basic", "premium", 600, ["ai"], DateTimeOffset.UtcNow, Version: 6));

        Assert.Equal(new { Suspended = true, Tier = "basic", Version = 7L }, Summary());

        _directory.Apply(new TenantResumed(Correlation, "acme", DateTimeOffset.UtcNow, Version: 9));
        Assert.Equal(new { Suspended = false, Tier = "basic", Version = 9L }, Summary());
    }

    [Fact]
    public void A_snapshot_older_than_an_applied_event_does_not_roll_it_back()
    {
        _directory.BeginRefresh();
        _directory.CompleteRefresh([Access(version: 5, phase: "Active")], []);
        _directory.Apply(new TenantSuspended(Correlation, "acme", "unpaid", DateTimeOffset.UtcNow, Version: 7));

        _directory.BeginRefresh();
        _directory.CompleteRefresh([Access(version: 6, phase: "Active")], []);
        Assert.Equal(new { Suspended = true, Tier = "basic", Version = 7L }, Summary());

        // A newer snapshot wins.
        _directory.BeginRefresh();
        _directory.CompleteRefresh([Access(version: 8, phase: "Active")], []);
        Assert.Equal(new { Suspended = false, Tier = "basic", Version = 8L }, Summary());
    }

    [Fact]
    public void A_deleted_tenant_is_not_brought_back_by_a_late_activation_or_an_older_snapshot()
    {
        _directory.Apply(Activated(version: 5));
        _directory.Apply(new TenantDeleted(Correlation, "acme", DateTimeOffset.UtcNow, Version: 12));
        _directory.Apply(Activated(version: 5));
        Assert.Null(_directory.FindTenant("acme"));

        _directory.BeginRefresh();
        _directory.CompleteRefresh([Access(version: 11, phase: "Terminating")], []);
        Assert.Null(_directory.FindTenant("acme"));
    }

    [Fact]
    public void An_event_without_a_version_is_never_newer()
    {
        _directory.Apply(Activated(version: 5));
        _directory.Apply(new TenantSuspended(Correlation, "acme", "unpaid", DateTimeOffset.UtcNow));
        Assert.Equal(new { Suspended = false, Tier = "basic", Version = 5L }, Summary());
    }

    private static TenantActivated Activated(long version) =>
        new(Correlation, "acme", "basic", ["acme-1"], DateTimeOffset.UtcNow, 300, ["coffee"], version);

    private static TenantAccess Access(long version, string phase) =>
        new("acme", phase, "basic", 300, ["coffee"], phase == "Suspended" ? "unpaid" : null, version);

    private object Summary()
    {
        var tenant = _directory.FindTenant("acme")!;
        return new { tenant.Suspended, tenant.Tier, tenant.Version };
    }
}
