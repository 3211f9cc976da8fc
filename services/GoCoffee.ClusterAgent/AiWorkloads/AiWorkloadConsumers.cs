using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.Objects;
using GoCoffee.ClusterAgent.Provisioning;
using GoCoffee.ClusterAgent.Targets;
using GoCoffee.ClusterAgent.Tenants;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Ai;
using GoCoffee.Contracts.Cluster;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;
using MassTransit;

namespace GoCoffee.ClusterAgent.AiWorkloads;

/// <summary>A Deployment the agent reports on to the workload's deployment saga (<see cref="AiDeploymentWatcher"/>).</summary>
public sealed class AiDeploymentWatch
{
    /// <summary><c>namespace/name</c>.</summary>
    public string Id { get; set; } = string.Empty;

    public string TenantId { get; set; } = string.Empty;

    public Guid CorrelationId { get; set; }

    /// <summary>What was last reported (replicas, ready, updated, version, deadline), so only changes are sent.</summary>
    public string LastReported { get; set; } = string.Empty;

    public static string IdOf(string ns, string name) => $"{ns}/{name}";
}

/// <summary>
/// Applies an AI workload's objects (server-side apply, marked with the command's id, so a command delivered again
/// skips what it applied); removes its HorizontalPodAutoscaler when it is no longer CPU-scaled; then watches its
/// Deployment. A step that fails for good removes what this run created and reports the object and the server's words.
/// </summary>
public sealed class ApplyAiWorkloadConsumer(IClusterTarget target, IDocumentSession session, IOutbox outbox, ILogger<ApplyAiWorkloadConsumer> logger) : IConsumer<ApplyAiWorkload>
{
    public const string Step = "apply";

    public async Task Consume(ConsumeContext<ApplyAiWorkload> context)
    {
        var command = context.Message;
        var plan = command.Plan;
        var deployment = AiWorkloadObjects.DeploymentOf(plan?.Namespace ?? string.Empty, plan?.Name ?? string.Empty);
        if (plan is null || TenantInvariants.CheckTenantId(plan.TenantId) is not null || TenantInvariants.CheckNamespace(plan.TenantId, plan.Namespace) is { })
        {
            var reason = plan is null ? "the command carries no plan" : TenantInvariants.CheckTenantId(plan.TenantId) ?? TenantInvariants.CheckNamespace(plan.TenantId, plan.Namespace)!;
            var refusal = TenantInvariants.Refusal(deployment, reason);
            logger.LogWarning("Refused to apply AI workload {ClusterObject}: {Reason}", deployment, refusal.Reason);
            Fail(command, deployment, refusal.StatusCode, refusal.Reason, []);
            return;
        }

        var journal = new ProvisioningJournal(target, plan.TenantId, context.MessageId, logger);
        try
        {
            foreach (var manifest in AiWorkloadObjects.For(plan))
            {
                await journal.Apply(manifest, context.CancellationToken);
            }

            if (plan.CpuTarget is null)
            {
                var hpa = new ClusterObjectRef(AiWorkloadObjects.HorizontalPodAutoscaler.ApiVersion, AiWorkloadObjects.HorizontalPodAutoscaler.Kind, plan.Namespace, plan.Name);
                await target.DeleteAsync(hpa, plan.TenantId, context.CancellationToken);
            }
        }
        catch (ClusterRequestFailedException failure)
        {
            logger.LogWarning("Applying AI workload {Namespace}/{Name} failed at {ClusterObject}: {StatusCode} {Reason}", plan.Namespace, plan.Name, failure.Target, failure.StatusCode, failure.Reason);
            var removed = await journal.Undo(CancellationToken.None);
            Fail(command, failure.Target, failure.StatusCode, failure.Reason, removed);
            return;
        }

        var watchId = AiDeploymentWatch.IdOf(plan.Namespace, plan.Name);
        var watch = await session.LoadAsync<AiDeploymentWatch>(watchId, context.CancellationToken) ?? new AiDeploymentWatch { Id = watchId };
        watch.TenantId = plan.TenantId;
        watch.CorrelationId = command.CorrelationId;
        watch.LastReported = string.Empty;
        session.Store(watch);
        outbox.Publish(new AiWorkloadApplied(command.CorrelationId, plan.TenantId, plan.Namespace, plan.Name, plan.Generation, [.. journal.Applied]), plan.TenantId, command.CorrelationId);
    }

    private void Fail(ApplyAiWorkload command, ClusterObjectRef failed, int statusCode, string message, IReadOnlyList<ClusterObjectRef> removed) =>
        outbox.Publish(
            new AiWorkloadClusterStepFailed(command.CorrelationId, command.Plan?.TenantId ?? string.Empty, command.Plan?.Namespace ?? string.Empty, command.Plan?.Name ?? string.Empty, Step, failed, statusCode, message, removed),
            string.IsNullOrEmpty(command.Plan?.TenantId) ? null : command.Plan.TenantId,
            command.CorrelationId);
}

/// <summary>Removes an AI workload's objects (each only if the platform manages it for the tenant) and stops watching it.</summary>
public sealed class DeleteAiWorkloadObjectsConsumer(IClusterTarget target, IDocumentSession session, IOutbox outbox, ILogger<DeleteAiWorkloadObjectsConsumer> logger) : IConsumer<DeleteAiWorkloadObjects>
{
    public async Task Consume(ConsumeContext<DeleteAiWorkloadObjects> context)
    {
        var command = context.Message;
        var deployment = AiWorkloadObjects.DeploymentOf(command.Namespace ?? string.Empty, command.Name ?? string.Empty);
        var reason = command.Namespace is null || command.Name is null
            ? "the command names no workload"
            : TenantInvariants.CheckTenantId(command.TenantId) ?? TenantInvariants.CheckNamespace(command.TenantId, command.Namespace);
        if (reason is not null)
        {
            var refusal = TenantInvariants.Refusal(deployment, reason);
            outbox.Publish(new AiWorkloadClusterStepFailed(command.CorrelationId, command.TenantId ?? string.Empty, command.Namespace ?? string.Empty, command.Name ?? string.Empty, "delete", deployment, refusal.StatusCode, refusal.Reason, []), null, command.CorrelationId);
            return;
        }

        var (ns, name) = (command.Namespace!, command.Name!);
        var deleted = new List<ClusterObjectRef>();
        try
        {
            foreach (var reference in AiWorkloadObjects.All(ns, name))
            {
                var outcome = await target.DeleteAsync(reference, command.TenantId, context.CancellationToken);
                logger.LogInformation("{ClusterObject} of AI workload: {Outcome}", reference, outcome);
                if (outcome == DeleteOutcome.Deleted)
                {
                    deleted.Add(reference);
                }
            }
        }
        catch (ClusterRequestFailedException failure)
        {
            outbox.Publish(new AiWorkloadClusterStepFailed(command.CorrelationId, command.TenantId, ns, name, "delete", failure.Target, failure.StatusCode, failure.Reason, []), command.TenantId, command.CorrelationId);
            return;
        }

        session.Delete<AiDeploymentWatch>(AiDeploymentWatch.IdOf(ns, name));
        outbox.Publish(new AiWorkloadObjectsDeleted(command.CorrelationId, command.TenantId, ns, name, deleted), command.TenantId, command.CorrelationId);
    }
}

/// <summary>Sets an AI workload's Deployment replicas (the GPU autoscaler's decision, or a suspension).</summary>
public sealed class ScaleAiWorkloadConsumer(IClusterTarget target, ILogger<ScaleAiWorkloadConsumer> logger) : IConsumer<ScaleAiWorkload>
{
    public async Task Consume(ConsumeContext<ScaleAiWorkload> context)
    {
        var command = context.Message;
        if ((TenantInvariants.CheckTenantId(command.TenantId) ?? TenantInvariants.CheckNamespace(command.TenantId, command.Namespace)) is { } reason)
        {
            logger.LogWarning("Refused to scale AI workload {Namespace}/{Name}: {Reason}", command.Namespace, command.Name, reason);
            return;
        }

        var deployment = await target.GetAsync(AiWorkloadObjects.DeploymentOf(command.Namespace, command.Name), context.CancellationToken);
        if (deployment is null || !deployment.IsManagedFor(command.TenantId))
        {
            logger.LogWarning("Not scaling AI workload {Namespace}/{Name}: no such Deployment of tenant {TenantId}", command.Namespace, command.Name, command.TenantId);
            return;
        }

        await target.ScaleAsync(AiWorkloadObjects.DeploymentOf(command.Namespace, command.Name), Math.Clamp(command.Replicas, 0, 100), new Dictionary<string, string?>(), context.CancellationToken);
    }
}

/// <summary>
/// Reports the watched Deployments' replicas to their sagas when they change: spec and ready replicas, updated
/// replicas, the model version of the current template, and a rollout that exceeded its progress deadline.
/// </summary>
public sealed class AiDeploymentWatcher(IServiceScopeFactory scopes, Microsoft.Extensions.Options.IOptions<AiWorkloadAgentOptions> options, TimeProvider clock, ILogger<AiDeploymentWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.WatchInterval, clock);
        do
        {
            try
            {
                await Poll(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Watching AI workload Deployments failed; trying again");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task Poll(CancellationToken cancellationToken)
    {
        using var poll = ServiceDefaults.BackgroundPolls.Start("ai-deployment-watcher");
        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IDocumentSession>();
        var target = scope.ServiceProvider.GetRequiredService<IClusterTarget>();
        var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
        var watches = await session.Query<AiDeploymentWatch>().ToListAsync(cancellationToken);
        var changed = false;
        foreach (var watch in watches)
        {
            var separator = watch.Id.IndexOf('/', StringComparison.Ordinal);
            var (ns, name) = (watch.Id[..separator], watch.Id[(separator + 1)..]);
            JsonObject? deployment;
            try
            {
                deployment = await target.GetAsync(AiWorkloadObjects.DeploymentOf(ns, name), cancellationToken);
            }
            catch (ClusterRequestFailedException ex)
            {
                logger.LogWarning("Could not read Deployment {Namespace}/{Name}: {StatusCode} {Reason}", ns, name, ex.StatusCode, ex.Reason);
                continue;
            }

            if (deployment is null)
            {
                continue;
            }

            var observed = Observe(watch, ns, name, deployment, clock.GetUtcNow());
            var signature = $"{observed.Replicas}|{observed.ReadyReplicas}|{observed.UpdatedReplicas}|{observed.ModelVersion}|{observed.ProgressDeadlineExceeded}";
            if (signature == watch.LastReported)
            {
                continue;
            }

            watch.LastReported = signature;
            session.Store(watch);
            outbox.Publish(observed, watch.TenantId, watch.CorrelationId);
            changed = true;
        }

        if (changed)
        {
            poll.Found();
            await session.SaveChangesAsync(cancellationToken);
        }
    }

    internal static AiWorkloadReplicasObserved Observe(AiDeploymentWatch watch, string ns, string name, JsonObject deployment, DateTimeOffset now)
    {
        static int Int(JsonNode? node) => node is JsonValue value && value.TryGetValue<int>(out var number) ? number : 0;
        var status = deployment["status"] as JsonObject;
        var progressing = (status?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == "Progressing");
        var deadline = progressing is not null && (string?)progressing["reason"] == "ProgressDeadlineExceeded";
        var version = (string?)deployment["spec"]?["template"]?["metadata"]?["annotations"]?[AiWorkloadObjects.ModelVersionAnnotation];
        var desired = Int(deployment["spec"]?["replicas"]);
        var updated = status?["updatedReplicas"] is null ? Int(status?["readyReplicas"]) : Int(status["updatedReplicas"]);

        // Until the controller has seen the current spec, its counts describe the previous template.
        static long Long(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var number) ? number : node is JsonValue v && v.TryGetValue<int>(out var small) ? small : 0;
        if (Long(status?["observedGeneration"]) < Long(deployment["metadata"]?["generation"]))
        {
            updated = 0;
        }
        return new AiWorkloadReplicasObserved(watch.CorrelationId, watch.TenantId, ns, name, desired, Int(status?["readyReplicas"]), updated, version, deadline, deadline ? (string?)progressing!["message"] : null, now);
    }
}

/// <summary>Configuration section <c>ClusterAgent:AiWorkloads</c>.</summary>
public sealed class AiWorkloadAgentOptions
{
    public const string Section = "ClusterAgent:AiWorkloads";

    /// <summary>How often the watched Deployments are read.</summary>
    public TimeSpan WatchInterval { get; set; } = TimeSpan.FromSeconds(1);
}
