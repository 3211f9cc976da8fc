using System.Text.Json;
using GoCoffee.AiWorkload.CustomResources;
using GoCoffee.AiWorkload.Models;
using GoCoffee.AiWorkload.Tenants;
using GoCoffee.Contracts.Ai;
using GoCoffee.Resources;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;

namespace GoCoffee.AiWorkload.Workloads;

/// <summary>
/// What accepting a workload document writes, whichever door it came through (the API or the AIWorkload custom
/// resource): every rule checked first, then the workload and the message that starts (or steers) its deployment
/// saga, staged on one session to commit together. A refused document stages nothing.
/// </summary>
internal static class WorkloadDecisions
{
    public const int MaxTenantNamespaces = 20;

    public sealed record Outcome(AiWorkload? Workload, Dictionary<string, string[]> Errors, bool Changed);

    public static async Task<Outcome> Apply(IDocumentSession session, IOutbox outbox, AiWorkloadOptions options, string tenantId, AiWorkloadResource resource, string source, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var errors = WorkloadRules.CheckShape(resource);
        var ns = resource.Metadata?.Namespace ?? NamespaceName(tenantId, 1);
        if (!errors.ContainsKey("metadata.namespace") && !Enumerable.Range(1, MaxTenantNamespaces).Any(i => NamespaceName(tenantId, i) == ns))
        {
            errors["metadata.namespace"] = [$"'{ModelRules.Clip(ns)}' is not a namespace of tenant '{tenantId}' ({NamespaceName(tenantId, 1)}, {NamespaceName(tenantId, 2)}, ...)"];
        }

        if (errors.Count > 0)
        {
            return new Outcome(null, errors, false);
        }

        var spec = resource.Spec!;
        var tenant = await session.LoadAsync<TenantAi>(tenantId, cancellationToken);
        var model = await session.LoadAsync<RegisteredModel>(RegisteredModel.IdOf(tenantId, spec.Model!.Name!), cancellationToken);
        errors = WorkloadRules.CheckAgainst(spec, tenantId, tenant, model, out var version);
        if (errors.Count == 0 && !options.Runtimes.ContainsKey(version!.Framework))
        {
            errors["spec.model.version"] = [$"the framework '{version.Framework}' of {version.Version} has no serving runtime configured"];
        }

        if (errors.Count > 0)
        {
            return new Outcome(null, errors, false);
        }

        var id = AiWorkload.IdOf(tenantId, ns, resource.Metadata!.Name!);
        var workload = await session.LoadAsync<AiWorkload>(id, cancellationToken);
        if (workload is not null && workload.Status.Phase == AiWorkloadPhase.Terminating)
        {
            return new Outcome(null, new() { ["metadata.name"] = [$"workload '{workload.Name}' is being deleted; apply it again once it is gone"] }, false);
        }

        if (workload is not null && workload.Source != source)
        {
            return new Outcome(null, new() { ["metadata.name"] = [$"workload '{workload.Name}' is managed {(workload.Source == AiWorkload.ClusterSource ? "as a custom resource" : "through the API")}"] }, false);
        }

        if (workload is not null && Same(workload.Spec, spec) && workload.ResolvedVersion == version!.Version)
        {
            return new Outcome(workload, [], false);
        }

        workload ??= new AiWorkload { Id = id, TenantId = tenantId, Namespace = ns, Name = resource.Metadata.Name!, Source = source, CreatedAt = now };
        workload.Spec = spec;

        // The rules above passed against the tenant's current access: a held workload is allowed again.
        workload.HeldBecause = null;
        workload.RemoveCondition("Allowed");
        workload.Generation++;
        workload.ResolvedVersion = version!.Version;
        workload.ResolvedPerformance = version.Performance;
        workload.UpdatedAt = now;
        if (workload.Generation == 1)
        {
            workload.Status = new AiWorkloadStatus { Phase = AiWorkloadPhase.Pending };
            workload.SetCondition("Ready", "False", "Pending", "Accepted; waiting for the deployment saga.", now);
        }
        else
        {
            StartRollout(workload, version.Version, now);
        }

        session.Store(workload);
        outbox.Report(workload, now);
        outbox.Publish(new AiWorkloadDeploymentRequested(AiWorkloadCorrelation.For(id), id, Plan(workload, version, options), now), tenantId);
        return new Outcome(workload, [], true);
    }

    /// <summary>A loaded workload moving to another version: the new one is the target, the old one serves until it is ready.</summary>
    public static void StartRollout(AiWorkload workload, string version, DateTimeOffset now)
    {
        var model = workload.Status.ModelStatus;
        if (!model.Loaded || model.Version == version)
        {
            return;
        }

        model.PreviousVersion = model.PreviousVersion ?? model.Version;
        model.Version = version;
        workload.RemoveCondition("RolloutFailed");
        workload.SetCondition("Progressing", "True", "RollingOut", $"Rolling out {version}; {model.PreviousVersion} serves until it is ready.", now);
    }

    /// <summary>Re-plans a stored workload (a moved alias): the next generation, the new version, the same spec.</summary>
    public static AiWorkloadDeploymentRequested Replan(AiWorkload workload, ModelVersion version, AiWorkloadOptions options, DateTimeOffset now)
    {
        workload.Generation++;
        workload.ResolvedVersion = version.Version;
        workload.ResolvedPerformance = version.Performance;
        workload.UpdatedAt = now;
        StartRollout(workload, version.Version, now);
        return new AiWorkloadDeploymentRequested(AiWorkloadCorrelation.For(workload.Id), workload.Id, Plan(workload, version, options), now);
    }

    public static AiWorkloadPlan Plan(AiWorkload workload, ModelVersion version, AiWorkloadOptions options)
    {
        var spec = workload.Spec;
        var runtime = options.Runtimes[version.Framework];
        var min = WorkloadRules.MinReplicas(spec);
        var gpu = spec.Resources?.Gpu;
        return new AiWorkloadPlan(
            workload.TenantId,
            workload.Namespace,
            workload.Name,
            workload.Generation,
            spec.WorkloadType!,
            spec.Model!.Name!,
            version.Version,
            version.Framework,
            version.Source,
            runtime.Image,
            runtime.Port,
            [.. runtime.Args],
            options.StorageInitializerImage,
            (gpu?.Count ?? 0) > 0 ? gpu!.Type : null,
            gpu?.Count ?? 0,
            spec.Resources?.Cpu,
            spec.Resources?.Memory,
            Replicas: workload.HeldBecause is not null ? 0 : Math.Clamp(workload.ScaledReplicas ?? min, min, WorkloadRules.MaxReplicasOf(spec)),
            MinReplicas: min,
            MaxReplicas: WorkloadRules.MaxReplicasOf(spec),
            CpuTarget: WorkloadRules.IsGpuScaled(spec) ? null : spec.Scaling?.TargetCPUUtilization ?? 80,
            spec.Security?.ServiceAccount);
    }

    /// <summary><c>ent-customer-1-1</c> …: the tenant service's names for a tenant's namespaces (TenantPlanner.NamespaceName).</summary>
    public static string NamespaceName(string tenantId, int index)
    {
        var suffix = $"-{index}";
        if (tenantId.Length + suffix.Length <= 63)
        {
            return tenantId + suffix;
        }

        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(tenantId)))[..6];
        return $"{tenantId[..(63 - suffix.Length - 7)].TrimEnd('-')}-{hash}{suffix}";
    }

    private static bool Same(AiWorkloadSpec a, AiWorkloadSpec b) =>
        JsonSerializer.Serialize(a, ResourceDocument.Json) == JsonSerializer.Serialize(b, ResourceDocument.Json);
}
