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
        var connectionString = ConnectionString(builder.Configuration, builder.Environment);

        // Each connection names the process (as ServiceIdentity.Instance does) unless the connection string names one:
        // pg_stat_activity then shows which replica holds a lock, such as the outbox relay's.
        var named = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(named.ApplicationName))
        {
            named.ApplicationName = $"{Environment.MachineName}-{Environment.ProcessId}";
        }

        builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(named.ConnectionString).Build());
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

                // Each service migrates only its own schema, so it takes its own apply-changes lock: services sharing a
                // database must not queue behind one lock at startup (Marten gives up after 10 s). Replicas share theirs.
                options.ApplyChangesLockId = ApplyChangesLockId(schema);
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

    /// <summary>
    /// <c>ConnectionStrings:Postgres</c>. In Development a missing one is the local database; anywhere else a missing
    /// connection string, or one without a user and password, stops the start.
    /// </summary>
    public static string ConnectionString(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(configured))
        {
            return environment.IsDevelopment()
                ? DefaultConnectionString
                : throw new InvalidOperationException(
                    $"ConnectionStrings:{ConnectionStringName} is not set. Outside Development every service needs its database login: Host=<host>;Port=5432;Database=<db>;Username=<user>;Password=<password> (see the README, Configuration).");
        }

        NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(configured);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"ConnectionStrings:{ConnectionStringName} is not a PostgreSQL connection string: {ex.Message}", ex);
        }

        if (!environment.IsDevelopment() && (string.IsNullOrEmpty(parsed.Username) || string.IsNullOrEmpty(parsed.Password)))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} names no user and password. Outside Development every service needs its database login: Host=<host>;Port=5432;Database=<db>;Username=<user>;Password=<password> (see the README, Configuration).");
        }

        return configured;
    }

    /// <summary>A stable advisory-lock id per schema (string.GetHashCode is randomised per process).</summary>
    private static int ApplyChangesLockId(string schema) =>
        System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(
            System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"gocoffee-marten-migrations:{schema}")));
}
