using GoCoffee.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace GoCoffee.ServiceDefaults.Tests;

/// <summary>Outside Development, a missing connection string or login stops the start: no silent fallback to local or guest credentials.</summary>
public sealed class StartupConfigurationTests
{
    private static readonly ServiceIdentity Identity = new("startup-check", "/api/startup-check");

    private const string Postgres = "Host=127.0.0.1;Port=5432;Database=gocoffee;Username=svc;Password=secret";
    private const string RabbitMq = "amqp://gocoffee-startup-check:secret@127.0.0.1:5672/";

    [Theory]
    [InlineData(null, RabbitMq, "ConnectionStrings:Postgres is not set")]
    [InlineData("Host=127.0.0.1;Database=gocoffee", RabbitMq, "ConnectionStrings:Postgres names no user and password")]
    [InlineData("Host=127.0.0.1;Database=gocoffee;Username=svc", RabbitMq, "ConnectionStrings:Postgres names no user and password")]
    [InlineData(Postgres, null, "ConnectionStrings:RabbitMq is not set")]
    [InlineData(Postgres, "amqp://127.0.0.1:5672/", "ConnectionStrings:RabbitMq names no broker login")]
    [InlineData(Postgres, "amqp://guest:guest@127.0.0.1:5672/", "ConnectionStrings:RabbitMq names no broker login (or RabbitMQ's guest)")]
    [InlineData(Postgres, "amqp://svc@127.0.0.1:5672/", "ConnectionStrings:RabbitMq names no broker login")]
    public void In_production_a_service_without_its_connection_strings_and_logins_does_not_start(string? postgres, string? rabbitMq, string message)
    {
        var failure = Assert.Throws<InvalidOperationException>(() => Build("Production", postgres, rabbitMq));

        Assert.StartsWith(message, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void In_production_a_service_with_its_own_logins_starts()
    {
        using var app = Build("Production", Postgres, RabbitMq);

        Assert.NotNull(app.Services.GetService(typeof(Marten.IDocumentStore)));
    }

    [Fact]
    public void In_development_the_local_database_and_broker_are_the_defaults()
    {
        using var app = Build("Development", postgres: null, rabbitMq: null);

        Assert.NotNull(app.Services.GetService(typeof(Marten.IDocumentStore)));
    }

    private static WebApplication Build(string environment, string? postgres, string? rabbitMq)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment, ApplicationName = typeof(StartupConfigurationTests).Assembly.GetName().Name });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = postgres,
            ["ConnectionStrings:RabbitMq"] = rabbitMq,
        });
        builder.AddPlatformService(Identity);
        return builder.Build();
    }
}
