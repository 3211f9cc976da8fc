using GoCoffee.Gateway.Callers;
using GoCoffee.ServiceDefaults;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GoCoffee.Gateway.Health;

/// <summary>
/// The gateway's <c>/health/ready</c> faces the internet: it tells anonymous callers only whether the gateway is healthy
/// (operators — a platform-admin credential — read every check), and one evaluation (a request to every routed service)
/// answers every caller for <see cref="CacheDuration"/>, so a flood of probes does not become a flood downstream.
/// </summary>
public static class GatewayReadiness
{
    public static readonly TimeSpan CacheDuration = TimeSpan.FromSeconds(1);

    /// <summary>After the health checks are registered (<c>AddServiceDefaults</c>).</summary>
    public static IHostApplicationBuilder AddGatewayReadiness(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<HealthReportOptions>(options =>
            options.MaySeeDetails = context => GatewayCaller.Of(context) is { IsPlatformAdmin: true });

        var registered = builder.Services.LastOrDefault(service => service.ServiceType == typeof(HealthCheckService))
            ?? throw new InvalidOperationException("AddGatewayReadiness needs the health checks registered first.");
        builder.Services.Remove(registered);
        builder.Services.AddSingleton<HealthCheckService>(services => new CachedHealthChecks(
            registered.ImplementationFactory?.Invoke(services) as HealthCheckService
                ?? (HealthCheckService)ActivatorUtilities.CreateInstance(services, registered.ImplementationType!),
            services.GetRequiredService<TimeProvider>(),
            CacheDuration));
        return builder;
    }
}

/// <summary>
/// Shares one evaluation of the health checks among every caller with the same selection of checks: while it runs, and
/// for a while after it finished. A failed evaluation is not kept.
/// </summary>
internal sealed class CachedHealthChecks(HealthCheckService checks, TimeProvider clock, TimeSpan lifetime) : HealthCheckService
{
    private static readonly object EveryCheck = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<object, Evaluation> _evaluations = [];

    public override Task<HealthReport> CheckHealthAsync(Func<HealthCheckRegistration, bool>? predicate, CancellationToken cancellationToken = default)
    {
        var key = (object?)predicate ?? EveryCheck;
        Evaluation evaluation;
        lock (_gate)
        {
            if (!_evaluations.TryGetValue(key, out evaluation!) || evaluation.IsOver(clock, lifetime))
            {
                evaluation = new Evaluation(checks, predicate, clock);
                _evaluations[key] = evaluation;
            }
        }

        return evaluation.Report.WaitAsync(cancellationToken);
    }

    private sealed class Evaluation
    {
        private long _finishedAt;

        public Evaluation(HealthCheckService checks, Func<HealthCheckRegistration, bool>? predicate, TimeProvider clock) =>
            Report = Task.Run(async () =>
            {
                try
                {
                    // Not the first caller's token: the evaluation belongs to everyone waiting for it.
                    return await checks.CheckHealthAsync(predicate, CancellationToken.None);
                }
                finally
                {
                    Volatile.Write(ref _finishedAt, clock.GetTimestamp());
                }
            });

        public Task<HealthReport> Report { get; }

        public bool IsOver(TimeProvider clock, TimeSpan lifetime)
        {
            var finishedAt = Volatile.Read(ref _finishedAt);
            return finishedAt != 0 && (Report.IsFaulted || clock.GetElapsedTime(finishedAt) >= lifetime);
        }
    }
}
