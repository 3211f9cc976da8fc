using GoCoffee.ServiceDefaults;
using GoCoffee.ServiceDefaults.Messaging;
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
        builder.AddPlatformService(
            Identity,
            store =>
            {
                store.Events.StreamIdentity = StreamIdentity.AsString;
                store.Events.MetadataConfig.UserNameEnabled = true;
                store.Projections.Snapshot<Lifecycle.Tenant>(SnapshotLifecycle.Inline);
                store.Schema.For<Lifecycle.Tenant>().Index(t => t.Phase);
                store.Schema.For<TenantLedger>().UseOptimisticConcurrency(true);
                store.Schema.For<ApiKey>().Index(k => k.TenantId).Index(k => k.Hash);
                store.AddSaga<TenantLifecycleState>();
            },
            bus =>
            {
                bus.AddSagaStateMachine<TenantLifecycleStateMachine, TenantLifecycleState>().MartenRepository();
                bus.AddConsumer<TenantResourceAppliedConsumer>();
                bus.AddConsumer<TenantResourceDeletedConsumer>();
            });
        builder.AddTenantOpenApi();
        return builder;
    }

    public static IEndpointRouteBuilder MapTenantApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup(Identity.RoutePrefix).WithTags("tenants").AddEndpointFilter<StreamConflictRetry>();
        api.MapDirectoryApi();
        api.MapTenantsApi();
        api.MapQuotaApi();
        api.MapApiKeysApi();
        return endpoints;
    }
}
