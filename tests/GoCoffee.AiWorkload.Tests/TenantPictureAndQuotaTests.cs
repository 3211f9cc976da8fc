using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GoCoffee.Contracts.Quotas;
using GoCoffee.Testing;

namespace GoCoffee.AiWorkload.Tests;

/// <summary>
/// The tenant service tells the ai-workload service what each tenant may use (TenantServicesChanged, by stream
/// version), and keeps the tenant's GPU ledger for it over the bus (reserve, release; idempotent per reservation id).
/// </summary>
public sealed class TenantPictureAndQuotaTests(AiPlatform platform) : IClassFixture<AiPlatform>
{
    [Fact]
    public async Task The_ai_service_learns_a_tenants_ai_access_with_its_tier_gpu_types_and_follows_changes_by_version()
    {
        await platform.CreateTenant("picture", models: ["coffee-recommendation", "sentiment"], gpuQuota: 4);
        var first = await platform.TenantKnown("picture", t => t.AiEnabled);
        Assert.Equal(["coffee-recommendation", "sentiment"], first.Models);
        Assert.Equal(4, first.GpuQuota);
        Assert.Equal(["nvidia-tesla-t4", "nvidia-tesla-v100", "nvidia-tesla-a100"], first.GpuTypes);
        Assert.Equal("enterprise", first.Tier);

        using var change = new StringContent("""{"services": {"ai": {"enabled": true, "models": ["sentiment"], "gpuQuota": 2}}}""", Encoding.UTF8, "application/json");
        var changed = await platform.Tenants.Client.PatchAsync("/api/tenants/picture", change);
        Assert.True(changed.IsSuccessStatusCode, await changed.Content.ReadAsStringAsync());
        var second = await platform.TenantKnown("picture", t => t.GpuQuota == 2);
        Assert.Equal(["sentiment"], second.Models);
        Assert.True(second.Version > first.Version);
    }

    [Fact]
    public async Task A_tenant_without_ai_is_known_as_such()
    {
        await platform.CreateTenant("no-ai", ai: false);
        var tenant = await platform.TenantKnown("no-ai", t => !t.AiEnabled);
        Assert.Empty(tenant.GpuTypes);
        Assert.Equal(0, tenant.GpuQuota);
    }

    [Fact]
    public async Task Gpus_are_reserved_over_the_bus_once_per_reservation_id_refused_beyond_the_quota_and_released()
    {
        await platform.CreateTenant("ledger", gpuQuota: 4);
        var broker = platform.VirtualHost.ConnectionStringFor("ai-workload");
        var correlation = Guid.NewGuid();
        var reserve = new ReserveTenantQuota(correlation, "ledger", "r-1", "test", 3, "nvidia-tesla-t4", DateTimeOffset.UtcNow);
        await BrokerPublisher.Publish(broker, reserve);
        await BrokerPublisher.Publish(broker, reserve with { At = DateTimeOffset.UtcNow });
        await Available("ledger", 1);

        // More than is left: refused, nothing held.
        await BrokerPublisher.Publish(broker, new ReserveTenantQuota(correlation, "ledger", "r-2", "test", 2, "nvidia-tesla-t4", DateTimeOffset.UtcNow));
        // A type the tenant may not use: refused. Then one that fits, to know the earlier ones were handled.
        await BrokerPublisher.Publish(broker, new ReserveTenantQuota(correlation, "ledger", "r-3", "test", 1, "nvidia-tesla-k80", DateTimeOffset.UtcNow));
        await BrokerPublisher.Publish(broker, new ReserveTenantQuota(correlation, "ledger", "r-4", "test", 1, "nvidia-tesla-a100", DateTimeOffset.UtcNow));
        var quota = await Available("ledger", 0);
        Assert.Equal(["r-1", "r-4"], quota.GetProperty("reservations").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).Order());

        await BrokerPublisher.Publish(broker, new ReleaseTenantQuota(correlation, "ledger", "r-1", DateTimeOffset.UtcNow));
        await BrokerPublisher.Publish(broker, new ReleaseTenantQuota(correlation, "ledger", "r-1", DateTimeOffset.UtcNow));
        await Available("ledger", 3);
    }

    [Fact]
    public async Task Only_the_ai_workload_service_may_reserve_a_tenants_gpus()
    {
        await platform.CreateTenant("forged", gpuQuota: 4);
        var orders = await platform.VirtualHost.CreateUser("forger", BrokerPermissions.Production["ai-workload"]);
        await BrokerPublisher.Publish(orders, new ReserveTenantQuota(Guid.NewGuid(), "forged", "forged-1", "forger", 4, "nvidia-tesla-t4", DateTimeOffset.UtcNow));
        await BrokerPublisher.Publish(platform.VirtualHost.ConnectionStringFor("ai-workload"), new ReserveTenantQuota(Guid.NewGuid(), "forged", "real-1", "test", 1, "nvidia-tesla-t4", DateTimeOffset.UtcNow));
        var quota = await Available("forged", 3);
        Assert.Equal(["real-1"], quota.GetProperty("reservations").EnumerateArray().Select(r => r.GetProperty("id").GetString()!));
    }

    private Task<JsonElement> Available(string tenantId, int gpus) =>
        TestInfrastructure.Eventually(
            async () =>
            {
                var quota = await platform.Quota(tenantId);
                return quota.GetProperty("available").GetProperty("gpus").GetInt32() == gpus ? (JsonElement?)quota : null;
            },
            TimeSpan.FromSeconds(20),
            $"tenant {tenantId} has {gpus} GPUs available").ContinueWith(t => t.Result!.Value, TaskScheduler.Default);
}
