using System.Globalization;
using System.Text.Json;
using GoCoffee.AiWorkload.CustomResources;
using GoCoffee.AiWorkload.Workloads;
using GoCoffee.Contracts.Ai;
using GoCoffee.Contracts.Cluster;
using GoCoffee.Contracts.Quotas;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;
using MassTransit;
using Microsoft.Extensions.Options;

namespace GoCoffee.AiWorkload.Scaling;

/// <summary>Configuration section <c>AiWorkloads:Autoscaler</c>.</summary>
public sealed class GpuAutoscalerOptions
{
    public const string Section = "AiWorkloads:Autoscaler";

    /// <summary>Prometheus' base address (its HTTP API); unset turns the GPU autoscaler off.</summary>
    public Uri? PrometheusUrl { get; set; }

    /// <summary>The PromQL giving a workload's average GPU utilisation in percent; <c>{namespace}</c> and <c>{name}</c> are filled in.</summary>
    public string Query { get; set; } = "avg(DCGM_FI_DEV_GPU_UTIL{namespace=\"{namespace}\",pod=~\"{name}-.*\"})";

    /// <summary>How often utilisation is read and decisions are made.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The HPA's tolerance: no change while utilisation is within this ratio of the target.</summary>
    public double Tolerance { get; set; } = 0.1;

    /// <summary>Stabilisation windows when the workload names none (<c>scaleUpDelay</c>, <c>scaleDownDelay</c>), as the HPA's defaults.</summary>
    public TimeSpan DefaultScaleUpDelay { get; set; } = TimeSpan.Zero;

    public TimeSpan DefaultScaleDownDelay { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// The GPU autoscaler's memory of one workload (id = the workload's): its recommendations within the stabilisation
/// windows, the replicas it set, and the one reservation it is waiting for. Stored with optimistic concurrency: when
/// several instances of the service tick at once, one decision per workload commits and the others are dropped.
/// </summary>
public sealed class GpuScalerState
{
    public string Id { get; set; } = string.Empty;

    public int Replicas { get; set; }

    public List<Recommendation> Recommendations { get; set; } = [];

    /// <summary>The reservation asked for the next replica; no other scale-up starts while it is unanswered.</summary>
    public string? PendingReservation { get; set; }

    public DateTimeOffset? PendingSince { get; set; }

    public sealed record Recommendation(DateTimeOffset At, int Replicas);

    public static string ReservationFor(string workloadId, int replicaIndex) => $"aiw:{workloadId}:replica:{replicaIndex}";

    public static Guid CorrelationFor(string workloadId) => AiWorkloadCorrelation.For(workloadId + "#gpu-scaler");
}

/// <summary>The HPA's computation: ratio to target with a tolerance, bounded by min and max, stabilised over windows.</summary>
public static class HpaMath
{
    public static int Desired(int current, double utilisation, int target, double tolerance, int min, int max)
    {
        var ratio = utilisation / target;
        var desired = Math.Abs(ratio - 1) <= tolerance ? current : (int)Math.Ceiling(Math.Max(current, 1) * ratio);
        return Math.Clamp(desired, min, max);
    }

    /// <summary>Scale up only to what every recommendation in the up window allows; down only to what every one in the down window allows.</summary>
    public static int Stabilised(int current, int desired, IReadOnlyList<GpuScalerState.Recommendation> history, DateTimeOffset now, TimeSpan upWindow, TimeSpan downWindow)
    {
        if (desired > current)
        {
            return Math.Max(current, history.Where(r => r.At >= now - upWindow).Select(r => r.Replicas).DefaultIfEmpty(desired).Min());
        }

        if (desired < current)
        {
            return Math.Min(current, history.Where(r => r.At >= now - downWindow).Select(r => r.Replicas).DefaultIfEmpty(desired).Max());
        }

        return current;
    }
}

/// <summary>
/// Scales GPU-scaled workloads by their GPU utilisation read from Prometheus, the way the HPA computes, within the
/// tenant's quota: every extra replica is reserved in the tenant's ledger first (one replica at a time, the answer
/// handled by <see cref="GpuScaleReservationConsumer"/>); a scale-down releases the replicas' reservations.
/// </summary>
public sealed class GpuAutoscaler(IServiceScopeFactory scopes, IHttpClientFactory http, IOptions<GpuAutoscalerOptions> options, TimeProvider clock, ILogger<GpuAutoscaler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.PrometheusUrl is null)
        {
            logger.LogInformation("GPU autoscaler off: AiWorkloads:Autoscaler:PrometheusUrl is not set");
            return;
        }

        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await Tick(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "GPU autoscaler tick failed");
            }
        }
    }

    private async Task Tick(CancellationToken cancellationToken)
    {
        using var poll = ServiceDefaults.BackgroundPolls.Start("gpu-autoscaler");
        List<Workloads.AiWorkload> workloads;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var query = scope.ServiceProvider.GetRequiredService<IQuerySession>();
            workloads = [.. (await query.Query<Workloads.AiWorkload>().Where(w => w.Status.Phase == AiWorkloadPhase.Running).ToListAsync(cancellationToken)).Where(w => WorkloadRules.IsGpuScaled(w.Spec))];
        }

        foreach (var workload in workloads)
        {
            var utilisation = await Utilisation(workload, cancellationToken);
            if (utilisation is null)
            {
                continue;
            }

            await using var scope = scopes.CreateAsyncScope();
            try
            {
                await Decide(scope.ServiceProvider, workload.Id, utilisation.Value, cancellationToken);
            }
            catch (JasperFx.ConcurrencyException)
            {
                // Another instance decided for this workload in the meantime.
            }
        }
    }

    internal async Task Decide(IServiceProvider services, string workloadId, double utilisation, CancellationToken cancellationToken)
    {
        var session = services.GetRequiredService<IDocumentSession>();
        var outbox = services.GetRequiredService<IOutbox>();
        var workload = await session.LoadAsync<Workloads.AiWorkload>(workloadId, cancellationToken);
        if (workload is null || workload.Status.Phase != AiWorkloadPhase.Running || workload.HeldBecause is not null)
        {
            return;
        }

        var settings = options.Value;
        var now = clock.GetUtcNow();
        if (workload.ReportGpuUtilisation(utilisation))
        {
            ServiceDefaults.BackgroundPolls.Found();
            session.Store(workload);
            outbox.Report(workload, now);
        }

        var spec = workload.Spec;
        var min = Math.Max(WorkloadRules.MinReplicas(spec), 0);
        var max = WorkloadRules.MaxReplicasOf(spec);
        var gpus = spec.Resources!.Gpu!.Count!.Value;
        var state = await session.LoadAsync<GpuScalerState>(workloadId, cancellationToken) ?? new GpuScalerState { Id = workloadId, Replicas = Math.Max(min, workload.ScaledReplicas ?? min) };
        var current = state.Replicas;
        var desired = HpaMath.Desired(current, utilisation, spec.Scaling?.TargetGPUUtilization ?? 70, settings.Tolerance, min, max);
        var up = Delay(spec.Scaling?.ScaleUpDelay, settings.DefaultScaleUpDelay);
        var down = Delay(spec.Scaling?.ScaleDownDelay, settings.DefaultScaleDownDelay);
        state.Recommendations.Add(new GpuScalerState.Recommendation(now, desired));
        var keep = up > down ? up : down;
        state.Recommendations.RemoveAll(r => r.At < now - keep);
        var target = HpaMath.Stabilised(current, desired, state.Recommendations, now, up, down);

        if (target > current && (state.PendingReservation is null || state.PendingSince < now - TimeSpan.FromMinutes(1)))
        {
            ServiceDefaults.BackgroundPolls.Found();
            // One more replica at a time, reserved first: the ledger decides whether the tenant has the GPUs.
            state.PendingReservation = GpuScalerState.ReservationFor(workloadId, current);
            state.PendingSince = now;
            outbox.Publish(
                new ReserveTenantQuota(GpuScalerState.CorrelationFor(workloadId), workload.TenantId, state.PendingReservation, $"AIWorkload {workloadId} replica {current + 1}", gpus, spec.Resources.Gpu.Type!, now),
                workload.TenantId);
        }
        else if (target < current)
        {
            ServiceDefaults.BackgroundPolls.Found();
            for (var i = Math.Max(target, min); i < current; i++)
            {
                outbox.Publish(new ReleaseTenantQuota(GpuScalerState.CorrelationFor(workloadId), workload.TenantId, GpuScalerState.ReservationFor(workloadId, i), now), workload.TenantId);
            }

            state.Replicas = target;
            workload.ScaledReplicas = target;
            workload.Status.Replicas = target;
            workload.RemoveCondition("QuotaLimited");
            session.Store(workload);
            outbox.Report(workload, now);
            outbox.Publish(new ScaleAiWorkload(GpuScalerState.CorrelationFor(workloadId), workload.TenantId, workload.Namespace, workload.Name, target), workload.TenantId);
        }

        session.Store(state);
        await session.SaveChangesAsync(cancellationToken);
    }

    private async Task<double?> Utilisation(Workloads.AiWorkload workload, CancellationToken cancellationToken)
    {
        var query = options.Value.Query.Replace("{namespace}", workload.Namespace, StringComparison.Ordinal).Replace("{name}", workload.Name, StringComparison.Ordinal);
        try
        {
            var client = http.CreateClient(nameof(GpuAutoscaler));
            using var response = await client.GetAsync(new Uri(options.Value.PrometheusUrl!, $"api/v1/query?query={Uri.EscapeDataString(query)}"), cancellationToken);
            response.EnsureSuccessStatusCode();
            using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            var result = json.RootElement.GetProperty("data").GetProperty("result");
            if (result.GetArrayLength() == 0)
            {
                return null;
            }

            var value = double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
            return double.IsFinite(value) && value >= 0 ? value : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            logger.LogWarning("Could not read GPU utilisation of {Workload} from Prometheus: {Error}", workload.Id, ex.Message);
            return null;
        }
    }

    private static TimeSpan Delay(string? text, TimeSpan fallback) => Durations.TryParse(text, out var delay) ? delay : fallback;
}

/// <summary>The ledger's answer to the autoscaler's reservation for one more replica: scale up, or stay with a condition saying how many GPUs are left.</summary>
public sealed class GpuScaleReservationConsumer(IDocumentSession session, IOutbox outbox, TimeProvider clock) : IConsumer<TenantQuotaReserved>, IConsumer<TenantQuotaRefused>
{
    public async Task Consume(ConsumeContext<TenantQuotaReserved> context)
    {
        var (state, workload) = await Load(context.Message.ReservationId, context.CancellationToken);
        if (state is null || workload is null)
        {
            return;
        }

        state.PendingReservation = null;
        state.Replicas++;
        workload.ScaledReplicas = state.Replicas;
        workload.Status.Replicas = state.Replicas;
        workload.RemoveCondition("QuotaLimited");
        session.Store(state);
        session.Store(workload);
        outbox.Report(workload, clock.GetUtcNow());
        outbox.Publish(new ScaleAiWorkload(GpuScalerState.CorrelationFor(workload.Id), workload.TenantId, workload.Namespace, workload.Name, state.Replicas), workload.TenantId);
    }

    public async Task Consume(ConsumeContext<TenantQuotaRefused> context)
    {
        var (state, workload) = await Load(context.Message.ReservationId, context.CancellationToken);
        if (state is null || workload is null)
        {
            return;
        }

        state.PendingReservation = null;
        workload.SetCondition("QuotaLimited", "True", "GpuQuotaExhausted", $"Utilisation calls for more than {state.Replicas} replicas, but the tenant has {context.Message.GpusAvailable} GPUs left ({context.Message.Reason}).", clock.GetUtcNow());
        session.Store(state);
        session.Store(workload);
        outbox.Report(workload, clock.GetUtcNow());
    }

    private async Task<(GpuScalerState? State, Workloads.AiWorkload? Workload)> Load(string reservationId, CancellationToken cancellationToken)
    {
        const string prefix = "aiw:";
        var marker = reservationId.LastIndexOf(":replica:", StringComparison.Ordinal);
        if (!reservationId.StartsWith(prefix, StringComparison.Ordinal) || marker < 0)
        {
            return (null, null);
        }

        var workloadId = reservationId[prefix.Length..marker];
        var state = await session.LoadAsync<GpuScalerState>(workloadId, cancellationToken);
        if (state?.PendingReservation != reservationId)
        {
            return (null, null);
        }

        return (state, await session.LoadAsync<Workloads.AiWorkload>(workloadId, cancellationToken));
    }
}
