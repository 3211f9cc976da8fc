using GoCoffee.ServiceDefaults;
using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.ServiceDefaults.Persistence;
using GoCoffee.ServiceDefaults.Security;
using GoCoffee.Web3.Api;
using GoCoffee.Web3.Invoices;
using GoCoffee.Web3.Networks;
using GoCoffee.Web3.Orders;
using GoCoffee.Web3.Tenants;
using GoCoffee.Web3.Wallets;
using GoCoffee.Web3.Watching;
using Marten;

namespace GoCoffee.Web3;

public static class Web3Service
{
    public static readonly ServiceIdentity Identity = new("web3", "/api/web3");

    public static IHostApplicationBuilder AddWeb3Service(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<Web3Options>().Bind(builder.Configuration.GetSection(Web3Options.Section))
            .Validate(o => o.Problem() is null, "Web3: invalid configuration (see the web3 service's README, Configuration).")
            .ValidateOnStart();
        builder.Services.AddHostedService<ChainWatcher>();
        builder.AddPlatformService(
            Identity,
            store =>
            {
                store.Schema.For<TenantWallet>().Index(w => w.TenantId).Index(w => w.ExtendedPublicKey).UseOptimisticConcurrency(true);
                store.Schema.For<TenantWeb3Access>();
                store.Schema.For<PayableOrder>().UseOptimisticConcurrency(true);
                store.Schema.For<Invoice>()
                    .Index(i => i.TenantId)
                    .Index(i => i.OrderId)
                    .Index(i => i.Network)
                    .Index(i => i.WatchUntil)
                    .UniqueIndex(i => i.AddressKey)
                    .UseOptimisticConcurrency(true);
                store.Schema.For<ChainCursor>().UseOptimisticConcurrency(true);
            },
            bus =>
            {
                bus.AddConsumer<TenantServicesChangedConsumer>();
                bus.AddConsumer<OrderAwaitingPaymentConsumer>();
                bus.AddConsumer<OrderPaymentClosedConsumer>();
            });
        return builder;
    }

    public static IEndpointRouteBuilder MapWeb3Api(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup(Identity.RoutePrefix).WithTags("web3").AddEndpointFilter<ConcurrencyConflictRetry>();
        api.MapWalletsApi();
        api.MapInvoicesApi();
        api.MapNetworksApi();
        return endpoints;
    }
}
