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
        // Checked now, so a missing or anonymous broker login fails the start; read again when the bus is built.
        BrokerAddress(builder.Configuration, builder.Environment);
        builder.Services.AddBrokerUsers(builder.Configuration);

        builder.Services.AddOptions<OutboxRelayOptions>().Bind(settings.GetSection("Outbox"));
        builder.Services.AddScoped<IOutbox, MartenOutbox>();
        builder.Services.AddHostedService<OutboxRelay>();
        builder.Services.AddHostedService<OutboxGauges>();
        builder.Services.AddSingleton<PlatformProbeResponder>();

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(identity.Name, includeNamespace: false));
            bus.DisableUsageReporting();
            bus.AddConsumer<PlatformProbeConsumer>();
            configure?.Invoke(bus);
            bus.AddConfigureEndpointsCallback((_, _, endpoint) => endpoint.UseSenderNeutralMoves());

            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.UsePlatformBroker(BrokerAddress(context.GetRequiredService<IConfiguration>(), context.GetRequiredService<IHostEnvironment>()), identity);
                rabbit.PrefetchCount = prefetch;
                rabbit.ConcurrentMessageLimit = concurrency;
                rabbit.UseMessageRetry(retry =>
                {
                    retry.Exponential(8, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
                    retry.Ignore<ArgumentException>();
                    retry.Ignore<System.ComponentModel.DataAnnotations.ValidationException>();
                    retry.Ignore<UntrustedSenderException>();
                });
                rabbit.UseConsumeFilter(typeof(TrustedSenderFilter<>), context);
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

    /// <summary>
    /// The broker from <c>ConnectionStrings:RabbitMq</c>, with this process's own login. In Development a missing one
    /// is the local broker; anywhere else a missing connection string, or one without a user and password (or with
    /// RabbitMQ's <c>guest</c>), stops the start.
    /// </summary>
    public static Uri BrokerAddress(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(configured))
        {
            return environment.IsDevelopment()
                ? new Uri(DefaultConnectionString)
                : throw new InvalidOperationException(
                    $"ConnectionStrings:{ConnectionStringName} is not set. Outside Development every process needs its own broker login: amqp://<user>:<password>@<host>:5672/<vhost> (see the README, Configuration).");
        }

        if (!Uri.TryCreate(configured, UriKind.Absolute, out var address))
        {
            throw new InvalidOperationException($"ConnectionStrings:{ConnectionStringName} is not an amqp:// URI.");
        }

        if (!environment.IsDevelopment() && Credentials(address) is not { User.Length: > 0, Password.Length: > 0, User: not "guest" })
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} names no broker login (or RabbitMQ's guest). Outside Development every process needs its own user and password: amqp://<user>:<password>@<host>:5672/<vhost> (see the README, Configuration).");
        }

        return address;
    }

    /// <summary>
    /// Connects to the platform's broker with the credentials of its URI, the connection named after the instance; stamps
    /// every outgoing message with that login (<see cref="SenderStamp"/>) and names the bus's own temporary queue after
    /// the service, so the broker user's permissions can cover it.
    /// </summary>
    public static void UsePlatformBroker(this IRabbitMqBusFactoryConfigurator rabbit, Uri connection, ServiceIdentity identity)
    {
        var (user, password) = Credentials(connection);
        if (user.Length == 0)
        {
            (user, password) = ("guest", "guest");
        }

        rabbit.Host(connection, host =>
        {
            host.Username(user);
            host.Password(password);
            host.ConnectionName(identity.Instance);
        });
        rabbit.OverrideDefaultBusEndpointQueueName($"{identity.Name}-bus-{identity.Instance}".ToLowerInvariant());
        rabbit.StampSender(user);
    }

    /// <summary>Registers <see cref="BrokerUsers"/>, which <see cref="TrustedSenderFilter{T}"/> checks senders against.</summary>
    public static IServiceCollection AddBrokerUsers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ => BrokerUsers.From(configuration));
        return services;
    }

    private static (string User, string Password) Credentials(Uri connection)
    {
        var parts = Uri.UnescapeDataString(connection.UserInfo).Split(':', 2);
        return parts.Length == 2 ? (parts[0], parts[1]) : (parts[0], string.Empty);
    }

    /// <summary>
    /// MassTransit 8.4+ reports anonymous usage telemetry to usage-tracking.masstransit.io after the bus starts. The
    /// platform's processes make no calls outside the cluster they run in: it is off for every bus.
    /// </summary>
    public static IBusRegistrationConfigurator DisableUsageReporting(this IBusRegistrationConfigurator bus) =>
        bus.ConfigureUsageTelemetryOptions(options => options.Enabled = false);
}
