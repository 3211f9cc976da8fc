using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.ServiceDefaults.Persistence;
using GoCoffee.ServiceDefaults.Security;
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
    /// <summary>
    /// Logging, telemetry, health, problem details, OpenAPI and the internal identity (every endpoint but health,
    /// metrics and the OpenAPI document needs the gateway's internal token): what every process of the platform has.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder, ServiceIdentity identity)
    {
        builder.Services.AddSingleton(identity);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddStructuredLogging(identity);
        builder.AddTelemetry(identity);
        builder.AddHealth();
        builder.AddProblems();
        builder.AddInternalIdentity(identity);
        builder.Services.AddPlatformOpenApi(identity);
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
            options.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());

            // A key given twice is refused (a 400 naming it), never resolved silently to the last one.
            options.SerializerOptions.AllowDuplicateProperties = false;
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

    /// <summary>
    /// Problem details, request logging (with the request id), authentication and authorization, and the anonymous
    /// endpoints: health, <c>/metrics</c> and the OpenAPI document under the service's prefix.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        var identity = app.Services.GetRequiredService<ServiceIdentity>();
        app.UseProblems();
        app.UseRequestLogging();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealth(identity.RoutePrefix);
        app.MapMetrics();
        app.MapOpenApi($"{identity.RoutePrefix}/openapi/{{documentName}}.json").AllowAnonymous();
        return app;
    }

    /// <summary>
    /// One structured line per request (method, path, status, elapsed ms, request id, trace ids): Information, Error for
    /// a 5xx or an exception, Verbose for health and metrics.
    /// </summary>
    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app) =>
        app.UseSerilogRequestLogging(options =>
        {
            // Elapsed as the number it is: a format in the template would render it a second time on every line.
            options.MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed} ms";
            options.GetLevel = (context, _, exception) =>
                exception is not null || context.Response.StatusCode >= 500 ? Serilog.Events.LogEventLevel.Error
                : context.Request.Path.StartsWithSegments("/health") || context.Request.Path.StartsWithSegments("/metrics") ? Serilog.Events.LogEventLevel.Verbose
                : Serilog.Events.LogEventLevel.Information;
            options.EnrichDiagnosticContext = (diagnostics, context) =>
            {
                if (context.Request.Headers.TryGetValue(RequestIdHeader, out var requestId))
                {
                    diagnostics.Set("RequestId", requestId.ToString());
                }
            };
        });

    /// <summary>The request id the gateway keeps or generates, passes to every service and echoes to the client.</summary>
    public const string RequestIdHeader = "X-Request-Id";
}
