using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace GoCoffee.ServiceDefaults;

public static class Telemetry
{
    public const string SourceName = "GoCoffee";

    /// <summary>Spans the platform's own code starts (outbox relay, sweepers, cluster operations).</summary>
    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Instruments the platform's own code records.</summary>
    public static readonly Meter Meter = new(SourceName);

    /// <summary>
    /// Traces and metrics for ASP.NET Core, HttpClient, MassTransit, Marten, Npgsql and the runtime.
    /// Traces, metrics and logs go over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (Jaeger and the
    /// Aspire dashboard ingest OTLP); metrics are always scrapeable at <c>/metrics</c>. Without an OTLP endpoint no span
    /// would leave the process, so none is recorded: requests and messages still get trace and span ids (logs carry them,
    /// <c>traceparent</c> and baggage propagate), see <see cref="TraceContextOnly"/>. A background loop's poll that finds
    /// no work exports no span (<see cref="BackgroundPolls"/>).
    /// </summary>
    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder, ServiceIdentity identity)
    {
        var exportsOtlp = ExportsOtlp(builder.Configuration);
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(identity.Name, serviceVersion: identity.Version, serviceInstanceId: identity.Instance))
            .WithMetrics(metrics => metrics
                .AddMeter(SourceName)
                .AddMeter("MassTransit")
                .AddMeter("Marten")
                .AddMeter("Npgsql")
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .DropInstruments(RedundantPerRequestInstruments)
                .AddPrometheusExporter());

        if (!exportsOtlp)
        {
            // First, so that trace ids exist before the server takes its first request.
            builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, TraceContextOnly>());
            return builder;
        }

        otel.WithTracing(tracing => tracing
                .SetSampler(new QuietPollSampler(builder.Configuration["OTEL_TRACES_SAMPLER"], builder.Configuration["OTEL_TRACES_SAMPLER_ARG"]))
                .AddSource(SourceName)
                .AddSource("MassTransit")
                .AddSource("Marten")
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsInfrastructurePath(context.Request.Path))
                .AddHttpClientInstrumentation(options => options.FilterHttpRequestMessage = request => !IsInfrastructurePath(request.RequestUri?.AbsolutePath))
                .AddNpgsql())
            .WithLogging(configureBuilder: null, configureOptions: logging =>
            {
                logging.IncludeFormattedMessage = true;
                logging.IncludeScopes = true;
            })
            .UseOtlpExporter();
        return builder;
    }

    /// <summary>
    /// Instruments ASP.NET Core and HttpClient record on every request that say nothing the kept ones don't: the
    /// request count (<c>http.server.request.duration</c>'s count), the request's duration (the rate-limit lease is held
    /// for the whole request), refusals (status codes and <c>aspnetcore.rate_limiting.requests</c>). Each costs an
    /// aggregation per request; a gateway forwarding thousands of requests a second pays for all of them.
    /// </summary>
    public static readonly IReadOnlyList<string> RedundantPerRequestInstruments =
    [
        "aspnetcore.routing.match_attempts",
        "aspnetcore.authentication.authenticate.duration",
        "aspnetcore.authorization.attempts",
        "aspnetcore.rate_limiting.request_lease.duration",
        "aspnetcore.rate_limiting.active_request_leases",
        "aspnetcore.memory_pool.rented",
        "http.client.active_requests",
        "http.client.request.time_in_queue",
    ];

    private static MeterProviderBuilder DropInstruments(this MeterProviderBuilder metrics, IEnumerable<string> instruments)
    {
        foreach (var instrument in instruments)
        {
            metrics.AddView(instrument, MetricStreamConfiguration.Drop);
        }

        return metrics;
    }

    /// <summary>Whether traces, metrics and logs leave the process over OTLP (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set).</summary>
    public static bool ExportsOtlp(Microsoft.Extensions.Configuration.IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    public static WebApplication MapMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
        return app;
    }

    private static bool IsInfrastructurePath(string? path) =>
        path is not null && (path.StartsWith("/health", StringComparison.Ordinal)
                             || path.Contains("/health/", StringComparison.Ordinal)
                             || path.StartsWith("/metrics", StringComparison.Ordinal));
}
