using GoCoffee.Resources;
using System.Text.RegularExpressions;
using GoCoffee.AiWorkload.Models;
using GoCoffee.AiWorkload.Tenants;
using GoCoffee.Contracts.Ai;

namespace GoCoffee.AiWorkload.Workloads;

/// <summary>
/// Every rule an AIWorkload document must meet, each answered with the field it concerns. <see cref="CheckShape"/>
/// needs only the document; <see cref="CheckAgainst"/> checks it against the tenant (AI enabled, its models, its GPU
/// types and quota) and the model registry. Nothing is reserved or created for a document that fails either.
/// </summary>
public static partial class WorkloadRules
{
    public static readonly IReadOnlyList<string> WorkloadTypes = ["inference", "training", "batch", "llm", "ml-training", "analysis"];
    public static readonly IReadOnlyList<string> GpuTypes = ["nvidia-tesla-t4", "nvidia-tesla-v100", "nvidia-tesla-a100"];
    public static readonly IReadOnlyList<string> DataSourceTypes = ["s3", "gcs", "azure-blob", "persistent-volume"];
    public static readonly IReadOnlyList<string> LoggingLevels = ["debug", "info", "warn", "error"];

    public const int MaxGpusPerReplica = 8;
    public const int MaxReplicas = 100;

    public static Dictionary<string, string[]> CheckShape(AiWorkloadResource? resource)
    {
        var errors = new Dictionary<string, string[]>();
        void Fail(string field, string message) => errors.TryAdd(field, [message]);
        if (resource is null)
        {
            Fail("$", "is required");
            return errors;
        }

        if (resource.ApiVersion != $"{AiWorkloadResource.Group}/{AiWorkloadResource.Version}")
        {
            Fail("apiVersion", $"must be {AiWorkloadResource.Group}/{AiWorkloadResource.Version}");
        }

        if (resource.Kind != AiWorkloadResource.ResourceKind)
        {
            Fail("kind", $"must be {AiWorkloadResource.ResourceKind}");
        }

        if (!ModelRules.IsDnsLabel(resource.Metadata?.Name))
        {
            Fail("metadata.name", "is required: a DNS label (lowercase letters, digits, '-', at most 63)");
        }

        if (resource.Metadata?.Namespace is { } ns && !ModelRules.IsDnsLabel(ns))
        {
            Fail("metadata.namespace", "must be a DNS label");
        }

        if (resource.Metadata?.Labels is { Count: > 64 })
        {
            Fail("metadata.labels", "at most 64 labels");
        }

        var spec = resource.Spec;
        if (spec is null)
        {
            Fail("spec", "is required");
            return errors;
        }

        if (spec.WorkloadType is null || !WorkloadTypes.Contains(spec.WorkloadType))
        {
            Fail("spec.workloadType", $"is required: one of {string.Join(", ", WorkloadTypes)}");
        }

        if (spec.Model is not { } model)
        {
            Fail("spec.model", "is required: name and version (or an alias)");
        }
        else
        {
            if (!ModelRules.IsDnsLabel(model.Name))
            {
                Fail("spec.model.name", "is required: a DNS label");
            }

            if (!ModelRules.IsVersionName(model.Version))
            {
                Fail("spec.model.version", "is required: a registered version or an alias");
            }

            if (model.Source is not null && ModelRules.SourceError(model.Source) is { } sourceError)
            {
                Fail("spec.model.source", sourceError);
            }

            if (model.Parameters is { } parameters && (parameters.Count > 50 || parameters.Any(p => p.Key.Length is 0 or > 63 || p.Value is null || p.Value.Length > 1024)))
            {
                Fail("spec.model.parameters", "at most 50 entries; keys 1 to 63 characters, values at most 1024");
            }
        }

        if (spec.Resources is not { } resources)
        {
            Fail("spec.resources", "is required");
        }
        else
        {
            if (resources.Gpu is { } gpu)
            {
                if (gpu.Count is < 0 or > MaxGpusPerReplica)
                {
                    Fail("spec.resources.gpu.count", $"must be between 0 and {MaxGpusPerReplica}");
                }

                if (gpu.Type is not null && !GpuTypes.Contains(gpu.Type))
                {
                    Fail("spec.resources.gpu.type", $"must be one of {string.Join(", ", GpuTypes)}");
                }
                else if (gpu.Type is null && gpu.Count > 0)
                {
                    Fail("spec.resources.gpu.type", "is required when GPUs are requested");
                }
            }

            CheckQuantity(resources.Cpu, "spec.resources.cpu", errors);
            CheckQuantity(resources.Memory, "spec.resources.memory", errors);
            CheckQuantity(resources.Storage, "spec.resources.storage", errors);
        }

        if (spec.Scaling is { } scaling)
        {
            if (scaling.MinReplicas is < 0 or > MaxReplicas)
            {
                Fail("spec.scaling.minReplicas", $"must be between 0 and {MaxReplicas}");
            }

            if (scaling.MaxReplicas is < 1 or > MaxReplicas)
            {
                Fail("spec.scaling.maxReplicas", $"must be between 1 and {MaxReplicas}");
            }

            if (scaling.MinReplicas is { } min && scaling.MaxReplicas is { } max && min > max)
            {
                Fail("spec.scaling.minReplicas", $"must not exceed maxReplicas ({max})");
            }

            if (scaling.TargetCPUUtilization is < 1 or > 100)
            {
                Fail("spec.scaling.targetCPUUtilization", "must be between 1 and 100 (percent)");
            }

            if (scaling.TargetGPUUtilization is < 1 or > 100)
            {
                Fail("spec.scaling.targetGPUUtilization", "must be between 1 and 100 (percent)");
            }

            if (scaling.ScaleUpDelay is not null && !Durations.TryParse(scaling.ScaleUpDelay, out _))
            {
                Fail("spec.scaling.scaleUpDelay", "must be a duration such as 30s, 5m or 1h (at most 24h)");
            }

            if (scaling.ScaleDownDelay is not null && !Durations.TryParse(scaling.ScaleDownDelay, out _))
            {
                Fail("spec.scaling.scaleDownDelay", "must be a duration such as 30s, 5m or 1h (at most 24h)");
            }
        }

        if (spec.DataSource is { } data)
        {
            if (data.Type is null || !DataSourceTypes.Contains(data.Type))
            {
                Fail("spec.dataSource.type", $"is required: one of {string.Join(", ", DataSourceTypes)}");
            }

            if (data.Location is null or { Length: 0 or > 2048 } || data.Location.Any(char.IsControl))
            {
                Fail("spec.dataSource.location", "is required: at most 2048 characters, no control characters");
            }

            if (data.Credentials is not null && !IsDnsSubdomain(data.Credentials))
            {
                Fail("spec.dataSource.credentials", "must name a Secret (a DNS subdomain)");
            }

            if (data.Preprocessing?.Pipeline is { } pipeline && (pipeline.Count > 20 || pipeline.Any(step => step is null or { Length: 0 or > 63 })))
            {
                Fail("spec.dataSource.preprocessing.pipeline", "at most 20 steps, each 1 to 63 characters");
            }
        }

        if (spec.Monitoring is { } monitoring)
        {
            if (monitoring.LoggingLevel is not null && !LoggingLevels.Contains(monitoring.LoggingLevel))
            {
                Fail("spec.monitoring.loggingLevel", $"must be one of {string.Join(", ", LoggingLevels)}");
            }

            if (monitoring.MetricsEndpoint is { } endpoint && (endpoint.Length > 256 || !endpoint.StartsWith('/') || endpoint.Any(char.IsWhiteSpace)))
            {
                Fail("spec.monitoring.metricsEndpoint", "must be a path starting with '/' (at most 256 characters)");
            }

            if (monitoring.Alerting?.Thresholds is { } thresholds)
            {
                if (thresholds.ErrorRate is { } rate && (double.IsNaN(rate) || rate is < 0 or > 1))
                {
                    Fail("spec.monitoring.alerting.thresholds.errorRate", "must be between 0 and 1");
                }

                if (thresholds.ResourceUtilization is { } use && (double.IsNaN(use) || use is < 0 or > 100))
                {
                    Fail("spec.monitoring.alerting.thresholds.resourceUtilization", "must be between 0 and 100 (percent)");
                }

                if (thresholds.Latency is not null && !Durations.TryParse(thresholds.Latency, out _))
                {
                    Fail("spec.monitoring.alerting.thresholds.latency", "must be a duration such as 200ms or 1s");
                }
            }
        }

        if (spec.Security is { } security)
        {
            if (security.ServiceAccount is not null && !IsDnsSubdomain(security.ServiceAccount))
            {
                Fail("spec.security.serviceAccount", "must be a DNS subdomain");
            }

            if (security.Secrets is { } secrets && (secrets.Count > 20 || secrets.Any(s => !IsDnsSubdomain(s))))
            {
                Fail("spec.security.secrets", "at most 20 Secret names, each a DNS subdomain");
            }

            if (security.PodSecurityContext is { } context && (context.RunAsUser is < 0 or > int.MaxValue || context.FsGroup is < 0 or > int.MaxValue))
            {
                Fail("spec.security.podSecurityContext", "runAsUser and fsGroup must be between 0 and 2147483647");
            }

            if (security.PodSecurityContext is { RunAsUser: 0, RunAsNonRoot: true })
            {
                Fail("spec.security.podSecurityContext.runAsUser", "must not be 0 when runAsNonRoot is true");
            }
        }

        return errors;
    }

    /// <summary>The rules that depend on the tenant and the registry; <paramref name="resolved"/> is the version to deploy.</summary>
    public static Dictionary<string, string[]> CheckAgainst(AiWorkloadSpec spec, string tenantId, TenantAi? tenant, RegisteredModel? model, out ModelVersion? resolved)
    {
        resolved = null;
        var errors = new Dictionary<string, string[]>();
        if (tenant is null || tenant.Deleted)
        {
            errors["tenantId"] = [$"tenant '{tenantId}' is not known to the AI service (yet): it must exist with spec.services.ai enabled"];
            return errors;
        }

        if (tenant.Closing)
        {
            errors["tenantId"] = [$"tenant '{tenantId}' is being deleted: it accepts no new AI workloads"];
            return errors;
        }

        if (!tenant.AiEnabled)
        {
            errors["tenant.spec.services.ai.enabled"] = [$"tenant '{tenantId}' does not have AI enabled"];
            return errors;
        }

        var modelName = spec.Model!.Name!;
        if (!tenant.Models.Contains(modelName))
        {
            errors["spec.model.name"] = [$"'{modelName}' is not among the tenant's allowed models ({(tenant.Models.Count == 0 ? "none" : string.Join(", ", tenant.Models))})"];
        }

        if (model is null)
        {
            errors.TryAdd("spec.model.name", [$"'{modelName}' is not registered in the tenant's model registry"]);
        }
        else if (model.Resolve(spec.Model.Version!) is not { } version)
        {
            errors["spec.model.version"] = [$"'{spec.Model.Version}' is neither a registered version nor an alias of '{modelName}'"];
        }
        else if (version.Archived)
        {
            errors["spec.model.version"] = [$"{version.Version} of '{modelName}' is archived: it can no longer be newly deployed"];
        }
        else
        {
            resolved = version;
            if (spec.Model.Source is { } source && source != version.Source)
            {
                errors["spec.model.source"] = [$"must be the registered source of {version.Version} ({version.Source}) or left out"];
            }
        }

        var gpu = spec.Resources?.Gpu;
        var count = gpu?.Count ?? 0;
        if (count > 0)
        {
            if (!tenant.GpuTypes.Contains(gpu!.Type!))
            {
                errors["spec.resources.gpu.type"] = [$"{gpu.Type} is not allowed for the tenant's tier '{tenant.Tier}' (allowed: {(tenant.GpuTypes.Count == 0 ? "none" : string.Join(", ", tenant.GpuTypes))})"];
            }

            var minimum = MinReplicas(spec) * count;
            if (minimum > tenant.GpuQuota)
            {
                errors["spec.resources.gpu.count"] = [$"minReplicas × count = {minimum} GPUs exceeds the tenant's GPU quota of {tenant.GpuQuota}"];
            }
        }

        return errors;
    }

    public static int MinReplicas(AiWorkloadSpec spec) => spec.Scaling?.MinReplicas ?? 1;

    public static int MaxReplicasOf(AiWorkloadSpec spec) => spec.Scaling?.MaxReplicas ?? Math.Max(1, MinReplicas(spec));

    /// <summary>GPU-scaled when it has GPUs and no CPU target: the service scales it; otherwise a HorizontalPodAutoscaler on CPU does.</summary>
    public static bool IsGpuScaled(AiWorkloadSpec spec) => (spec.Resources?.Gpu?.Count ?? 0) > 0 && spec.Scaling?.TargetCPUUtilization is null;

    private static void CheckQuantity(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (text is not null && (!Quantity.TryParse(text, out var value) || value <= 0))
        {
            errors.TryAdd(field, [$"'{ModelRules.Clip(text)}' is not a positive Kubernetes quantity"]);
        }
    }

    private static bool IsDnsSubdomain(string? value) => value is { Length: > 0 and <= 253 } && DnsSubdomain().IsMatch(value);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
