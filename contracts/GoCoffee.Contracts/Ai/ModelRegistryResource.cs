namespace GoCoffee.Contracts.Ai;

/// <summary>
/// <c>ai.gocoffee.dev/v1 ModelRegistry</c> (namespaced, short name <c>mreg</c>): a tenant's models, their versions and
/// aliases as one document. Applying it registers every listed version (a registered version never changes) and points
/// the aliases; <see cref="Status"/> is written only by the platform.
/// </summary>
public sealed class ModelRegistryResource
{
    public const string Group = "ai.gocoffee.dev";
    public const string Version = "v1";
    public const string ResourceKind = "ModelRegistry";

    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public ResourceMetadata? Metadata { get; set; }

    public ModelRegistrySpec? Spec { get; set; }

    public ModelRegistryStatus? Status { get; set; }
}

public sealed class ModelRegistrySpec
{
    public List<ModelVersionSpec>? Models { get; set; }

    /// <summary>Per model: alias → version (<c>{"coffee-recommendation": {"production": "v2.1.0"}}</c>).</summary>
    public Dictionary<string, Dictionary<string, string>>? Aliases { get; set; }
}

/// <summary>One version of a model, immutable once registered.</summary>
public sealed class ModelVersionSpec
{
    public string? Name { get; set; }

    public string? Version { get; set; }

    /// <summary>The seed's name for <see cref="Framework"/>; either may be given (the same value when both are).</summary>
    public string? Type { get; set; }

    /// <summary>onnx | tensorrt | pytorch | tensorflow | sklearn | xgboost | llm | huggingface</summary>
    public string? Framework { get; set; }

    /// <summary>gs://, s3://, hf://, pvc://, oci:// or https:// URI of the model's files.</summary>
    public string? Source { get; set; }

    public Dictionary<string, string>? Metadata { get; set; }

    public ModelPerformance? Performance { get; set; }
}

/// <summary>Measured quality: accuracy (0–1), latency in milliseconds, throughput in requests per second.</summary>
public sealed class ModelPerformance
{
    public double? Accuracy { get; set; }

    public double? Latency { get; set; }

    public double? Throughput { get; set; }
}

public sealed class ModelRegistryStatus
{
    public int TotalModels { get; set; }

    /// <summary>Versions that can be deployed (not archived).</summary>
    public int AvailableModels { get; set; }

    public List<ResourceCondition> Conditions { get; set; } = [];
}
