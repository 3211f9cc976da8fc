using GoCoffee.ServiceDefaults;
using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.ServiceDefaults.Persistence;
using GoCoffee.Tenant.ApiKeys;
using GoCoffee.Tenant.CustomResources;
using GoCoffee.Tenant.Api;
using GoCoffee.Tenant.Lifecycle;
using GoCoffee.Tenant.Quotas;
using JasperFx.Events;
using Marten;
using JasperFx.Events.Projections;

namespace GoCoffee.Tenant;

public static class TenantService
{
    public static readonly ServiceIdentity Identity = new("tenant", "/api/tenants");

    public static IHostApplicationBuilder AddTenantService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TenantLifecycleOptions>().Bind(builder.Configuration.GetSection("Tenants"));
        builder.Services.AddOptions<ApiKeyOptions>().Bind(builder.Configuration.GetSection(ApiKeyOptions.Section))
            .Validate(o => o.MaxLivePerTenant >= 1 && o.RevokedRetention >= TimeSpan.Zero && o.PruneInterval > TimeSpan.Zero, "Tenants:ApiKeys: MaxLivePerTenant must be at least 1, RevokedRetention not negative, PruneInterval positive.")
            .ValidateOnStart();
        builder.Services.AddHostedService<RevokedApiKeyPruner>();
        builder.Services.AddHostedService<Metrics.TenantMetrics>();
        builder.AddPlatformService(
            Identity,
            store =>
            {
                store.Events.StreamIdentity = StreamIdentity.AsString;

                // The tenant's Version is its resourceVersion and ETag: it must be the stream's version after every append.
                // Marten's default (quick) append leaves it unset when an event is appended to an existing stream.
                store.Events.AppendMode = EventAppendMode.Rich;
                store.Events.MetadataConfig.UserNameEnabled = true;
                store.Projections.Snapshot<Lifecycle.Tenant>(SnapshotLifecycle.Inline);
                store.Schema.For<Lifecycle.Tenant>().Index(t => t.Phase);
                store.Schema.For<TenantLedger>().UseOptimisticConcurrency(true);
                store.Schema.For<ApiKey>().Index(k => k.TenantId).Index(k => k.Hash).Index(k => k.RevokedAt);
                store.AddSaga<TenantLifecycleState>();
            },
            bus =>
            {
                bus.AddSagaStateMachine<TenantLifecycleStateMachine, TenantLifecycleState>().MartenRepository();
                bus.AddConsumer<TenantResourceAppliedConsumer>();
                bus.AddConsumer<TenantResourceDeletedConsumer>();
                bus.AddConsumer<ReserveTenantQuotaConsumer>();
                bus.AddConsumer<ReleaseTenantQuotaConsumer>();
            });
        builder.AddTenantOpenApi();
        return builder;
    }

    public static IEndpointRouteBuilder MapTenantApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup(Identity.RoutePrefix).WithTags("tenants").AddEndpointFilter<ConcurrencyConflictRetry>();
        api.MapDirectoryApi();
        api.MapTenantsApi();
        api.MapQuotaApi();
        api.MapApiKeysApi();
        return endpoints;
    }
}
