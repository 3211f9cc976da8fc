using GoCoffee.AiWorkload.CustomResources;
using GoCoffee.AiWorkload.Models;
using GoCoffee.AiWorkload.Workloads;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;

namespace GoCoffee.AiWorkload.Tenants;

/// <summary>
/// A tenant's AI access changed under workloads it already runs (AI disabled, a model taken off its allowed
/// <c>models</c>, a GPU type its tier no longer allows): such a workload is <b>held</b> — scaled to zero with an
/// <c>Allowed=False</c> condition naming the rule, its GPU reservation kept — and comes back at its replicas when the
/// tenant allows it again (or when its spec is changed to something allowed). Nothing is deleted: a platform admin's
/// change of a tenant's services must not destroy the tenant's work, and turning it back is one change away.
/// </summary>
internal static class TenantAiPolicy
{
    /// <summary>Why the tenant no longer allows the workload, or null when it does.</summary>
    public static string? Disallows(TenantAi tenant, Workloads.AiWorkload workload)
    {
        if (!tenant.AiEnabled)
        {
            return $"tenant '{tenant.Id}' no longer has AI enabled (spec.services.ai.enabled)";
        }

        var model = workload.Spec.Model?.Name ?? string.Empty;
        if (!tenant.Models.Contains(model))
        {
            return $"'{model}' is no longer among the tenant's allowed models ({(tenant.Models.Count == 0 ? "none" : string.Join(", ", tenant.Models))})";
        }

        var gpu = workload.Spec.Resources?.Gpu;
        if ((gpu?.Count ?? 0) > 0 && !tenant.GpuTypes.Contains(gpu!.Type ?? string.Empty))
        {
            return $"{gpu.Type} is no longer allowed for the tenant (allowed: {(tenant.GpuTypes.Count == 0 ? "none" : string.Join(", ", tenant.GpuTypes))})";
        }

        return null;
    }

    /// <summary>Holds or releases each of the tenant's workloads as its current access says; stages the changes on <paramref name="session"/>.</summary>
    public static async Task Enforce(IDocumentSession session, IOutbox outbox, AiWorkloadOptions options, TenantAi tenant, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var workloads = await session.Query<Workloads.AiWorkload>().Where(w => w.TenantId == tenant.Id).ToListAsync(cancellationToken);
        foreach (var workload in workloads.Where(w => w.Status.Phase != AiWorkloadPhase.Terminating))
        {
            var reason = Disallows(tenant, workload);
            if (reason == workload.HeldBecause)
            {
                continue;
            }

            var model = await session.LoadAsync<RegisteredModel>(RegisteredModel.IdOf(tenant.Id, workload.Spec.Model?.Name ?? string.Empty), cancellationToken);
            if (model?.Find(workload.ResolvedVersion) is not { } version || !options.Runtimes.ContainsKey(version.Framework))
            {
                continue;
            }

            workload.HeldBecause = reason;
            if (reason is not null)
            {
                workload.SetCondition("Allowed", "False", "NotAllowed", $"{reason}: scaled to zero, its GPU reservation kept; it resumes when the tenant allows it again, or delete it.", now);
            }
            else
            {
                workload.RemoveCondition("Allowed");
            }

            // Scaled to zero (or back) by re-applying the same version with the held replicas: the saga keeps the reservation.
            var request = WorkloadDecisions.Replan(workload, version, options, now);
            session.Store(workload);
            outbox.Report(workload, now);
            outbox.Publish(request, workload.TenantId);
        }
    }
}
