using System.Globalization;
using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.Objects;
using GoCoffee.ClusterAgent.Targets;
using GoCoffee.ClusterAgent.Tenants;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Cluster;
using GoCoffee.ServiceDefaults.Messaging;
using MassTransit;

namespace GoCoffee.ClusterAgent.Workloads;

/// <summary>
/// Suspends a tenant by scaling every Deployment and StatefulSet in its namespaces to zero, remembering each one's
/// replicas in an annotation, and resumes it by restoring them. The annotation is also the guard that makes both
/// idempotent: a suspended workload is not suspended again (which would remember zero), and only workloads the
/// platform suspended are scaled back. Namespaces that are not the tenant's (by the platform's labels) are left alone.
/// </summary>
public sealed class ScaleTenantWorkloadsConsumer(IClusterTarget target, IOutbox outbox, ILogger<ScaleTenantWorkloadsConsumer> logger)
    : IConsumer<ScaleTenantWorkloads>
{
    public const string ReplicasBeforeSuspend = "gocoffee.dev/replicas-before-suspend";

    private static readonly ObjectKind[] Workloads = [ObjectKind.Deployment, ObjectKind.StatefulSet];

    public async Task Consume(ConsumeContext<ScaleTenantWorkloads> context)
    {
        var command = context.Message;
        var step = command.Suspend ? "suspend" : "resume";
        var namespaces = (command.Namespaces ?? []).Select(ns => (ClusterObjectRef?)new ClusterObjectRef("v1", "Namespace", null, ns ?? string.Empty));
        if (TenantInvariants.Check(command.TenantId, namespaces) is { } refused)
        {
            var refusal = TenantInvariants.Refusal(refused.Target, refused.Reason);
            logger.LogWarning("Refused to scale workloads of tenant {TenantId}: {ClusterObject} {Reason}", command.TenantId, refused.Target, refusal.Reason);
            outbox.Publish(
                new TenantClusterStepFailed(command.CorrelationId, command.TenantId ?? string.Empty, step, refused.Target, refusal.StatusCode, refusal.Reason, []),
                string.IsNullOrEmpty(command.TenantId) ? null : command.TenantId,
                command.CorrelationId);
            return;
        }

        var scaled = new List<ClusterObjectRef>();
        try
        {
            foreach (var ns in (command.Namespaces ?? []).Distinct(StringComparer.Ordinal))
            {
                var namespaceObject = await target.GetAsync(new ClusterObjectRef("v1", "Namespace", null, ns), context.CancellationToken);
                if (namespaceObject is null || !namespaceObject.IsManagedFor(command.TenantId))
                {
                    logger.LogWarning("Not scaling workloads in {Namespace}: it is not a namespace of tenant {TenantId}", ns, command.TenantId);
                    continue;
                }

                foreach (var kind in Workloads)
                {
                    foreach (var workload in await target.ListAsync(kind, ns, labels: null, context.CancellationToken))
                    {
                        if (await Scale(workload, command.Suspend, context.CancellationToken) is { } reference)
                        {
                            scaled.Add(reference);
                        }
                    }
                }
            }
        }
        catch (ClusterRequestFailedException failure)
        {
            // Whatever was scaled stays scaled and carries its annotation, so asking again finishes the job.
            logger.LogWarning("Scaling tenant {TenantId} failed at {ClusterObject}: {StatusCode} {Reason}", command.TenantId, failure.Target, failure.StatusCode, failure.Reason);
            outbox.Publish(
                new TenantClusterStepFailed(command.CorrelationId, command.TenantId, step, failure.Target, failure.StatusCode, failure.Reason, []),
                command.TenantId,
                command.CorrelationId);
            return;
        }

        outbox.Publish(new TenantWorkloadsScaled(command.CorrelationId, command.TenantId, command.Suspend, scaled), command.TenantId, command.CorrelationId);
    }

    /// <returns>The workload when it is now in the asked-for state; null when it is not the platform's to change.</returns>
    private async Task<ClusterObjectRef?> Scale(JsonObject workload, bool suspend, CancellationToken cancellationToken)
    {
        var reference = workload.Reference();
        var remembered = workload.Annotations().GetValueOrDefault(ReplicasBeforeSuspend);
        if (suspend)
        {
            if (remembered is not null)
            {
                return reference;
            }

            // Kubernetes defaults an unset replicas to 1.
            var replicas = (int?)workload["spec"]?["replicas"] ?? 1;
            await target.ScaleAsync(reference, 0, new Dictionary<string, string?> { [ReplicasBeforeSuspend] = replicas.ToString(CultureInfo.InvariantCulture) }, cancellationToken);
            return reference;
        }

        if (remembered is null)
        {
            return null;
        }

        if (!int.TryParse(remembered, NumberStyles.None, CultureInfo.InvariantCulture, out var restore))
        {
            logger.LogWarning("Not resuming {ClusterObject}: {Annotation} is '{Value}', not a replica count", reference, ReplicasBeforeSuspend, remembered);
            return null;
        }

        await target.ScaleAsync(reference, restore, new Dictionary<string, string?> { [ReplicasBeforeSuspend] = null }, cancellationToken);
        return reference;
    }
}
