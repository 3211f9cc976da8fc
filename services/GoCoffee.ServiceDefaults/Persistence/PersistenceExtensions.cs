using GoCoffee.ServiceDefaults.Messaging;
using JasperFx;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace GoCoffee.ServiceDefaults.Persistence;

public static class PersistenceExtensions
{
    public const string ConnectionStringName = "Postgres";

    public const string DefaultConnectionString = "Host=127.0.0.1;Port=5432;Database=gocoffee;Username=gocoffee;Password=gocoffee";

    /// <summary>
    /// Marten on PostgreSQL with the service's own schema (documents and event streams), lightweight sessions, and the
    /// outbox/inbox documents every service uses. <paramref name="configure"/> registers the service's own documents.
    /// </summary>
    public static IHostApplicationBuilder AddMartenStore(this IHostApplicationBuilder builder, string schema, Action<StoreOptions>? configure = null)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName) ?? DefaultConnectionString;

        builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).Build());
        builder.Services.AddSingleton<OutboxSignal>();

        builder.Services
            .AddMarten(services =>
            {
                var options = new StoreOptions
                {
                    DatabaseSchemaName = schema,
                    AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate,
                };
                options.Events.DatabaseSchemaName = schema;
                options.UseSystemTextJsonForSerialization();
                options.OpenTelemetry.TrackConnections = JasperFx.OpenTelemetry.TrackLevel.Normal;
                MessagingDocuments.Register(options);
                options.Listeners.Add(new OutboxCommitListener(services.GetRequiredService<OutboxSignal>()));
                configure?.Invoke(options);
                return options;
            })
            .UseNpgsqlDataSource()
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup();

        builder.Services.AddHealthChecks()
            .AddNpgSql(connectionString, name: "postgresql", tags: [Health.Ready], timeout: TimeSpan.FromSeconds(3));

        return builder;
    }
}
