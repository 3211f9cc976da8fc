using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.ServiceDefaults.Persistence;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Serilog;

namespace GoCoffee.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    /// <summary>Logging, telemetry, health, problem details and OpenAPI: what every process of the platform has.</summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder, ServiceIdentity identity)
    {
        builder.Services.AddSingleton(identity);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddStructuredLogging(identity);
        builder.AddTelemetry(identity);
        builder.AddHealth();
        builder.AddProblems();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
            options.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
        });
        return builder;
    }

    /// <summary>A service of the platform: the defaults plus its own Marten schema and the bus with outbox and inbox.</summary>
    public static IHostApplicationBuilder AddPlatformService(
        this IHostApplicationBuilder builder,
        ServiceIdentity identity,
        Action<StoreOptions>? store = null,
        Action<IBusRegistrationConfigurator>? bus = null)
    {
        builder.AddServiceDefaults(identity);
        builder.AddMartenStore(identity.Name.Replace('-', '_'), store);
        builder.AddMessaging(identity, bus);
        return builder;
    }

    /// <summary>Problem details, request logging, health, <c>/metrics</c> and the OpenAPI document under the service's prefix.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        var identity = app.Services.GetRequiredService<ServiceIdentity>();
        app.UseProblems();
        app.UseSerilogRequestLogging(options => options.GetLevel = (context, _, exception) =>
            exception is not null || context.Response.StatusCode >= 500 ? Serilog.Events.LogEventLevel.Error
            : context.Request.Path.StartsWithSegments("/health") || context.Request.Path.StartsWithSegments("/metrics") ? Serilog.Events.LogEventLevel.Verbose
            : Serilog.Events.LogEventLevel.Information);
        app.MapHealth(identity.RoutePrefix);
        app.MapMetrics();
        app.MapOpenApi($"{identity.RoutePrefix}/openapi/{{documentName}}.json");
        return app;
    }
}
