namespace GoCoffee.Contracts.Ai;

/// <summary>
/// <c>ai.gocoffee.dev/v1 AIWorkload</c> (namespaced, short name <c>aiw</c>): one model for the API (JSON or YAML), the
/// custom resource, validation and the cluster-agent. Every field the seed's operator declared is here;
/// <see cref="Status"/> is written only by the platform.
/// </summary>
public sealed class AiWorkloadResource
{
    public const string Group = "ai.gocoffee.dev";
    public const string Version = "v1";
    public const string ResourceKind = "AIWorkload";
    public const string Plural = "aiworkloads";

    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public ResourceMetadata? Metadata { get; set; }

    public AiWorkloadSpec? Spec { get; set; }

    public AiWorkloadStatus? Status { get; set; }
}

public sealed class AiWorkloadSpec
{
    /// <summary>inference | training | batch | llm | ml-training | analysis</summary>
    public string? WorkloadType { get; set; }

    public AiModelRef? Model { get; set; }

    public AiResources? Resources { get; set; }

    public AiScaling? Scaling { get; set; }

    public AiDataSource? DataSource { get; set; }

    public AiMonitoring? Monitoring { get; set; }

    public AiSecurity? Security { get; set; }
}

public sealed class AiModelRef
{
    public string? Name { get; set; }

    /// <summary>A registered version, or an alias of the model registry (<c>production</c>, <c>staging</c>, ...).</summary>
    public string? Version { get; set; }

    /// <summary>Where to fetch the model from; when given it must be the registered version's source.</summary>
    public string? Source { get; set; }

    public Dictionary<string, string>? Parameters { get; set; }
}

public sealed class AiResources
{
    public AiGpu? Gpu { get; set; }

    public string? Cpu { get; set; }

    public string? Memory { get; set; }

    public string? Storage { get; set; }
}

public sealed class AiGpu
{
    /// <summary>nvidia-tesla-t4 | nvidia-tesla-v100 | nvidia-tesla-a100</summary>
    public string? Type { get; set; }

    /// <summary>GPUs per replica, 0–8.</summary>
    public int? Count { get; set; }
}

public sealed class AiScaling
{
    public int? MinReplicas { get; set; }

    public int? MaxReplicas { get; set; }

    public int? TargetCPUUtilization { get; set; }

    public int? TargetGPUUtilization { get; set; }

    /// <summary>A duration (<c>30s</c>, <c>5m</c>, <c>1h</c>): how long utilisation must call for more replicas before scaling up.</summary>
    public string? ScaleUpDelay { get; set; }

    public string? ScaleDownDelay { get; set; }
}

public sealed class AiDataSource
{
    /// <summary>s3 | gcs | azure-blob | persistent-volume</summary>
    public string? Type { get; set; }

    public string? Location { get; set; }

    /// <summary>The name of a Secret in the workload's namespace.</summary>
    public string? Credentials { get; set; }

    public AiPreprocessing? Preprocessing { get; set; }
}

public sealed class AiPreprocessing
{
    public bool? Enabled { get; set; }

    public List<string>? Pipeline { get; set; }
}

public sealed class AiMonitoring
{
    public bool? Enabled { get; set; }

    public string? MetricsEndpoint { get; set; }

    /// <summary>debug | info | warn | error</summary>
    public string? LoggingLevel { get; set; }

    public AiAlerting? Alerting { get; set; }
}

public sealed class AiAlerting
{
    public bool? Enabled { get; set; }

    public AiAlertThresholds? Thresholds { get; set; }
}

public sealed class AiAlertThresholds
{
    public double? ErrorRate { get; set; }

    public string? Latency { get; set; }

    public double? ResourceUtilization { get; set; }
}

public sealed class AiSecurity
{
    public bool? NetworkPolicy { get; set; }

    public AiPodSecurityContext? PodSecurityContext { get; set; }

    public string? ServiceAccount { get; set; }

    public List<string>? Secrets { get; set; }
}

public sealed class AiPodSecurityContext
{
    public bool? RunAsNonRoot { get; set; }

    public long? RunAsUser { get; set; }

    public long? FsGroup { get; set; }
}

public sealed class AiWorkloadStatus
{
    /// <summary>Pending | Initializing | Running | Scaling | Failed | Completed</summary>
    public string Phase { get; set; } = "Pending";

    public int Replicas { get; set; }

    public int ReadyReplicas { get; set; }

    public AiModelStatus ModelStatus { get; set; } = new();

    public AiPerformance? Performance { get; set; }

    public List<ResourceCondition> Conditions { get; set; } = [];

    public long? ObservedGeneration { get; set; }
}

public sealed class AiModelStatus
{
    public bool Loaded { get; set; }

    /// <summary>The version serving now.</summary>
    public string? Version { get; set; }

    /// <summary>During a rollout: the version still serving until the new one is ready.</summary>
    public string? PreviousVersion { get; set; }

    public DateTimeOffset? LoadTime { get; set; }
}

public sealed class AiPerformance
{
    public string? AverageLatency { get; set; }

    public double? Throughput { get; set; }

    public double? ErrorRate { get; set; }

    public AiUtilization? ResourceUtilization { get; set; }
}

public sealed class AiUtilization
{
    public double? Cpu { get; set; }

    public double? Memory { get; set; }

    public double? Gpu { get; set; }
}
