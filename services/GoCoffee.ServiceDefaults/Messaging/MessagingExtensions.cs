using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GoCoffee.ServiceDefaults.Messaging;

public static class MessagingExtensions
{
    public const string ConnectionStringName = "RabbitMq";

    public const string DefaultConnectionString = "amqp://gocoffee:gocoffee@127.0.0.1:5672/";

    /// <summary>
    /// MassTransit over RabbitMQ: kebab-case queues prefixed with the service name (each service gets its own copy of
    /// an event), retries with exponential back-off then the <c>_error</c> queue, a prefetch sized for real throughput,
    /// the inbox / unit-of-work filter on every consumer and saga, and the outbox relay. Requires
    /// <see cref="Persistence.PersistenceExtensions.AddMartenStore"/>.
    /// </summary>
    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder, ServiceIdentity identity, Action<IBusRegistrationConfigurator>? configure = null)
    {
        var settings = builder.Configuration.GetSection("Messaging");
        var prefetch = settings.GetValue("PrefetchCount", 32);
        var concurrency = settings.GetValue("ConcurrentMessageLimit", 16);
        var connection = BrokerAddress(builder.Configuration);

        builder.Services.AddOptions<OutboxRelayOptions>().Bind(settings.GetSection("Outbox"));
        builder.Services.AddScoped<IOutbox, MartenOutbox>();
        builder.Services.AddHostedService<OutboxRelay>();
        builder.Services.AddSingleton<PlatformProbeResponder>();

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(identity.Name, includeNamespace: false));
            bus.DisableUsageReporting();
            bus.AddConsumer<PlatformProbeConsumer>();
            configure?.Invoke(bus);

            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.UsePlatformBroker(connection, identity);
                rabbit.PrefetchCount = prefetch;
                rabbit.ConcurrentMessageLimit = concurrency;
                rabbit.UseMessageRetry(retry =>
                {
                    retry.Exponential(8, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
                    retry.Ignore<ArgumentException>();
                    retry.Ignore<System.ComponentModel.DataAnnotations.ValidationException>();
                });
                rabbit.UseConsumeFilter(typeof(InboxFilter<>), context);
                rabbit.ConfigureEndpoints(context);
            });
        });

        builder.Services.Configure<MassTransitHostOptions>(options =>
        {
            options.WaitUntilStarted = false;
            options.StopTimeout = TimeSpan.FromSeconds(15);
        });

        return builder;
    }

    /// <summary>The broker from <c>ConnectionStrings:RabbitMq</c> (default: the local one).</summary>
    public static Uri BrokerAddress(IConfiguration configuration) =>
        new(configuration.GetConnectionString(ConnectionStringName) ?? DefaultConnectionString);

    /// <summary>Connects to the platform's broker with the credentials of its URI, the connection named after the instance.</summary>
    public static void UsePlatformBroker(this IRabbitMqBusFactoryConfigurator rabbit, Uri connection, ServiceIdentity identity) =>
        rabbit.Host(connection, host =>
        {
            var (user, password) = Credentials(connection);
            host.Username(user);
            host.Password(password);
            host.ConnectionName(identity.Instance);
        });

    private static (string User, string Password) Credentials(Uri connection)
    {
        var parts = Uri.UnescapeDataString(connection.UserInfo).Split(':', 2);
        return parts.Length == 2 && parts[0].Length > 0 ? (parts[0], parts[1]) : ("guest", "guest");
    }

    /// <summary>
    /// MassTransit 8.4+ reports anonymous usage telemetry to usage-tracking.masstransit.io after the bus starts. The
    /// platform's processes make no calls outside the cluster they run in: it is off for every bus.
    /// </summary>
    public static IBusRegistrationConfigurator DisableUsageReporting(this IBusRegistrationConfigurator bus) =>
        bus.ConfigureUsageTelemetryOptions(options => options.Enabled = false);
}
