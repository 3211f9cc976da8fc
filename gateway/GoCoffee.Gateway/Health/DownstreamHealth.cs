using GoCoffee.ServiceDefaults;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GoCoffee.Gateway.Health;

/// <summary>
/// The gateway's readiness aggregates every routed service's <c>/health/ready</c>: one check per cluster destination,
/// so the report names the service that is not ready.
/// </summary>
public static class DownstreamHealth
{
    public const string HttpClientName = "downstream-health";

    public static IHostApplicationBuilder AddDownstreamHealth(this IHostApplicationBuilder builder, IConfigurationSection clusters)
    {
        builder.Services.AddHttpClient(HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(3));
        var checks = builder.Services.AddHealthChecks();
        foreach (var cluster in clusters.GetChildren())
        {
            foreach (var destination in cluster.GetSection("Destinations").GetChildren())
            {
                var address = destination["Address"];
                if (string.IsNullOrWhiteSpace(address))
                {
                    continue;
                }

                var health = new Uri(new Uri(address.TrimEnd('/') + "/"), "health/ready");
                checks.Add(new HealthCheckRegistration(
                    $"{cluster.Key}/{destination.Key}",
                    services => new DownstreamHealthCheck(services.GetRequiredService<IHttpClientFactory>(), health),
                    HealthStatus.Unhealthy,
                    [ServiceDefaults.Health.Ready]));
            }
        }

        return builder;
    }

    private sealed class DownstreamHealthCheck(IHttpClientFactory clients, Uri health) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                using var response = await clients.CreateClient(HttpClientName).GetAsync(health, cancellationToken);
                return response.IsSuccessStatusCode
                    ? HealthCheckResult.Healthy(health.ToString())
                    : HealthCheckResult.Unhealthy($"{health} answered {(int)response.StatusCode}");
            }
            catch (HttpRequestException ex)
            {
                return HealthCheckResult.Unhealthy($"{health} unreachable: {ex.Message}");
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy($"{health} timed out");
            }
        }
    }
}
