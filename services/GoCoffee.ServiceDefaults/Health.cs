using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GoCoffee.ServiceDefaults;

public static class Health
{
    /// <summary>Tag of the checks that must pass before the process takes traffic (PostgreSQL, RabbitMQ, ...).</summary>
    public const string Ready = "ready";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    public static IHostApplicationBuilder AddHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks();
        return builder;
    }

    /// <summary>
    /// <c>/health/live</c> (the process answers) and <c>/health/ready</c> (every check tagged <see cref="Ready"/> passes),
    /// mapped in every environment — Kubernetes probes need them in production — at the root and under the service's
    /// route prefix, so the gateway can reach each service's health at <c>/api/&lt;service&gt;/health/ready</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints, string? routePrefix)
    {
        foreach (var prefix in new[] { string.Empty, routePrefix ?? string.Empty }.Distinct())
        {
            endpoints.MapHealthChecks($"{prefix}/health/live", new HealthCheckOptions
            {
                Predicate = _ => false,
                ResponseWriter = WriteReport,
            }).DisableHttpMetrics().AllowAnonymous();
            endpoints.MapHealthChecks($"{prefix}/health/ready", new HealthCheckOptions
            {
                Predicate = check => check.Tags.Contains(Ready),
                ResponseWriter = WriteReport,
                ResultStatusCodes =
                {
                    [HealthStatus.Healthy] = StatusCodes.Status200OK,
                    [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                    [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
                },
            }).DisableHttpMetrics().AllowAnonymous();
        }

        return endpoints;
    }

    private static Task WriteReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        if (context.RequestServices.GetService<IOptions<HealthReportOptions>>()?.Value.MaySeeDetails is { } maySeeDetails && !maySeeDetails(context))
        {
            return context.Response.WriteAsync(JsonSerializer.Serialize(new { status = report.Status.ToString() }, JsonOptions));
        }

        var body = new
        {
            status = report.Status.ToString(),
            totalDurationMs = report.TotalDuration.TotalMilliseconds,
            checks = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new
                {
                    status = entry.Value.Status.ToString(),
                    description = entry.Value.Description,
                    durationMs = entry.Value.Duration.TotalMilliseconds,
                    error = entry.Value.Exception?.Message,
                }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonOptions));
    }
}

/// <summary>Who reads what of a health report.</summary>
public sealed class HealthReportOptions
{
    /// <summary>
    /// Whether the caller of a health endpoint may read every check's status and description; others get the overall
    /// status only. Null (the default): everyone may — a service is reached only from inside the platform.
    /// </summary>
    public Func<HttpContext, bool>? MaySeeDetails { get; set; }
}
