using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace GoCoffee.ServiceDefaults;

public static class Logging
{
    /// <summary>The Activity baggage key that carries the tenant a request or message belongs to.</summary>
    public const string TenantBaggageKey = "gocoffee.tenant_id";

    /// <summary>
    /// Serilog with structured JSON on stdout (compact format: <c>@t</c>, <c>@mt</c>, <c>@tr</c> trace id, <c>@sp</c> span id),
    /// enriched with the service name and the tenant id when one is known. When an OTLP endpoint is configured, events
    /// are also forwarded to the other logging providers, so OpenTelemetry ships them; without one nothing would read
    /// them, and forwarding every event (every request's log line) would cost CPU for nothing. Events are written to
    /// stdout by a writer thread every 50 ms and flushed when the host stops.
    /// </summary>
    public static IHostApplicationBuilder AddStructuredLogging(this IHostApplicationBuilder builder, ServiceIdentity identity)
    {
        // Serilog owns stdout; the only other provider left is OpenTelemetry's (added with the telemetry).
        builder.Logging.ClearProviders();

        // Hosting opens a logging scope for every request when any logger of its category is on; its request-start and
        // -finish lines are replaced by Serilog's one line per request, so the scope would only cost an allocation and an
        // AsyncLocal change per request. Trace and span ids correlate a request's lines instead.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Services.AddSerilog(
            (services, logger) => logger
                .MinimumLevel.Information()
                .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.Extensions.Http", LogEventLevel.Warning)
                .MinimumLevel.Override("System.Net.Http.HttpClient", LogEventLevel.Warning)
                .MinimumLevel.Override("Marten", LogEventLevel.Warning)
                .MinimumLevel.Override("MassTransit", LogEventLevel.Warning)
                .MinimumLevel.Override("Yarp", LogEventLevel.Warning)
                // Configuration comes last so Serilog:MinimumLevel settings override the defaults above.
                .ReadFrom.Configuration(builder.Configuration)
                .Enrich.FromLogContext()
                .Enrich.WithProperty("service", identity.Name)
                .Enrich.WithProperty("instance", identity.Instance)
                .Enrich.With<TenantEnricher>()
                .Enrich.With<SecretRedactor>()
                // Request threads only queue their event; a writer thread writes what has queued every 50 ms.
                .WriteTo.Sink(new StandardOutput(new CompactJsonFormatter())),
            writeToProviders: Telemetry.ExportsOtlp(builder.Configuration));
        return builder;
    }

    /// <summary>Adds <c>tenant_id</c> from the current Activity's baggage, set where the tenant is resolved.</summary>
    private sealed class TenantEnricher : ILogEventEnricher
    {
        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
        {
            var tenant = Activity.Current?.GetBaggageItem(TenantBaggageKey);
            if (!string.IsNullOrEmpty(tenant))
            {
                logEvent.AddPropertyIfAbsent(propertyFactory.CreateProperty("tenant_id", tenant));
            }
        }
    }

    /// <summary>
    /// Defence in depth: a property whose name says it is a secret is never written, whoever logged it.
    /// Code must not log secrets in the first place; this catches the mistake.
    /// </summary>
    internal sealed class SecretRedactor : ILogEventEnricher
    {
        private static readonly string[] SecretWords = ["password", "secret", "apikey", "api_key", "token", "authorization", "connectionstring"];

        // Property names repeat (every request log event has the same ones): decide once per name, not once per event.
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> IsSecretName = new(StringComparer.Ordinal);

        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
        {
            List<string>? secrets = null;
            foreach (var name in logEvent.Properties.Keys)
            {
                if (IsSecretName.GetOrAdd(name, static n => SecretWords.Any(n.ToLowerInvariant().Contains)))
                {
                    (secrets ??= []).Add(name);
                }
            }

            secrets?.ForEach(name => logEvent.AddOrUpdateProperty(new LogEventProperty(name, new ScalarValue("***"))));
        }
    }
}
