using GoCoffee.Orders.Menu;
using GoCoffee.Orders.Metrics;
using GoCoffee.Orders.Ordering;
using GoCoffee.Orders.Payments;
using GoCoffee.Orders.Shop;
using GoCoffee.Orders.Tenants;
using GoCoffee.Orders.Webhooks;
using GoCoffee.ServiceDefaults;
using GoCoffee.ServiceDefaults.Messaging;
using Npgsql;

namespace GoCoffee.Orders;

public static class OrdersService
{
    public static readonly ServiceIdentity Identity = new("orders", "/api/orders");

    public static IHostApplicationBuilder AddOrdersService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OrderOptions>().Bind(builder.Configuration.GetSection("Orders"))
            .Validate(o => o.PaymentTimeout > TimeSpan.Zero && o.MaxLines >= 1 && o.MaxQuantity >= 1, "Orders: PaymentTimeout must be positive, MaxLines and MaxQuantity at least 1.")
            .ValidateOnStart();
        builder.Services.AddOptions<MenuOptions>().Bind(builder.Configuration.GetSection("Orders:Menu"))
            .Validate(o => Currencies.IsKnown(o.DefaultCurrency), "Orders:Menu:DefaultCurrency must be an ISO 4217 code the service prices in.")
            .ValidateOnStart();
        builder.Services.AddOptions<PaymentOptions>().Bind(builder.Configuration.GetSection("Payments"));
        builder.Services.AddOptions<SandboxOptions>().Bind(builder.Configuration.GetSection("Payments:Sandbox"))
            .Validate(
                o => o.CallbackSecret.Length >= 16 && (builder.Environment.IsDevelopment() || builder.Environment.IsEnvironment("Testing") || o.CallbackSecret != new SandboxOptions().CallbackSecret),
                "Payments:Sandbox:CallbackSecret must be at least 16 characters, and not the development default outside Development.")
            .ValidateOnStart();
        builder.Services.AddOptions<WebhookOptions>().Bind(builder.Configuration.GetSection(WebhookOptions.Section))
            .Validate(o => o.MaxAttempts >= 1 && o.BaseDelay > TimeSpan.Zero && o.MaxDelay >= o.BaseDelay && o.PollInterval > TimeSpan.Zero, "Webhooks: MaxAttempts at least 1, delays positive, MaxDelay not below BaseDelay.")
            .Validate(
                o => o.SecretKey.Length >= WebhookSecrets.MinimumKeyLength && (builder.Environment.IsDevelopment() || builder.Environment.IsEnvironment("Testing") || o.SecretKey != WebhookOptions.DevelopmentSecretKey),
                "Webhooks:SecretKey must be at least 32 characters, and not the development key outside Development.")
            .ValidateOnStart();
        builder.Services.AddSingleton<WebhookSecrets>();
        builder.Services.AddHttpClient();
        builder.Services.AddSingleton<ICardPaymentProvider, SandboxCardProvider>();
        var webhookSignal = new WebhookSignal();
        builder.Services.AddSingleton(webhookSignal);
        builder.Services.AddHostedService<WebhookDispatcher>();
        builder.Services.AddSingleton(services => new OrderMetrics(services.GetRequiredService<NpgsqlDataSource>(), Schema));
        builder.AddPlatformService(
            Identity,
            store =>
            {
                store.Schema.For<OrderState>().Index(o => o.TenantId).Index(o => o.PlacedAt).Index(o => o.CurrentState);
                store.AddSaga<OrderState>();
                store.Schema.For<TenantMenu>();
                store.Schema.For<TenantCoffee>();
                store.Schema.For<CardPayment>().Index(p => p.OrderId).UseOptimisticConcurrency(true);
                store.Schema.For<WebhookEndpoint>();
                // The dispatcher's query (pending and due, soonest first) reads only pending deliveries, however long the log.
                store.Schema.For<WebhookDelivery>().Index(d => d.TenantId).Index([d => d.Status, d => d.NextAttemptAt]);
                store.Listeners.Add(new WebhookCommitListener(webhookSignal));
            },
            bus =>
            {
                bus.AddSagaStateMachine<OrderStateMachine, OrderState>().MartenRepository();
                bus.AddConsumer<TenantServicesChangedConsumer>();
                bus.AddConsumer<TenantDeletedConsumer>();
                bus.AddConsumer<ShopEventConsumer>(typeof(ShopEventConsumerDefinition));
                bus.AddConsumer<AlertWebhookConsumer>();
            });
        return builder;
    }

    public static IEndpointRouteBuilder MapOrdersApi(this IEndpointRouteBuilder endpoints)
    {
        // Created now, so the gauges exist from the first scrape.
        endpoints.ServiceProvider.GetRequiredService<OrderMetrics>();
        var api = endpoints.MapGroup(Identity.RoutePrefix).WithTags("orders");
        api.MapGet("/schemas/shop-event.json", () => Results.Text(ShopEventSchema.Text, "application/schema+json")).AllowAnonymous().WithName("ShopEventSchema").WithSummary("The JSON Schema of the shop events published on the orders-shop-events exchange.");
        api.MapMenuApi();
        api.MapOrderEndpoints();
        api.MapPaymentsApi();
        api.MapWebhooksApi();
        return endpoints;
    }

    /// <summary>The service's PostgreSQL schema (Marten documents and the outbox).</summary>
    public const string Schema = "orders";
}
