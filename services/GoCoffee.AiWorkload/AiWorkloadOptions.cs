namespace GoCoffee.AiWorkload;

/// <summary>A model server: its image, the port it serves on and its arguments (<c>{modelDir}</c> is replaced by the model's path).</summary>
public sealed class ServingRuntime
{
    public string Image { get; set; } = string.Empty;

    public int Port { get; set; } = 8080;

    public List<string> Args { get; set; } = [];
}

/// <summary>Configuration section <c>AiWorkloads</c>.</summary>
public sealed class AiWorkloadOptions
{
    public const string Section = "AiWorkloads";

    /// <summary>
    /// The serving runtime for each model framework; the keys are the frameworks the registry accepts. Configured
    /// entries replace or add to these defaults (<c>AiWorkloads:Runtimes:onnx:Image</c>, ...).
    /// </summary>
    public Dictionary<string, ServingRuntime> Runtimes { get; set; } = new(StringComparer.Ordinal)
    {
        ["onnx"] = Triton(),
        ["tensorrt"] = Triton(),
        ["llm"] = new() { Image = "vllm/vllm-openai:v0.6.3", Port = 8000, Args = ["--model", "{modelDir}"] },
        ["huggingface"] = new() { Image = "vllm/vllm-openai:v0.6.3", Port = 8000, Args = ["--model", "{modelDir}"] },
        ["sklearn"] = MlServer(),
        ["xgboost"] = MlServer(),
        ["pytorch"] = new() { Image = "pytorch/torchserve:0.12.0-gpu", Port = 8080, Args = ["torchserve", "--start", "--model-store", "{modelDir}", "--foreground"] },
        ["tensorflow"] = new() { Image = "tensorflow/serving:2.17.0-gpu", Port = 8501, Args = ["--model_base_path={modelDir}", "--rest_api_port=8501"] },
    };

    /// <summary>The init container that fetches the model from its source URI into the shared volume (KServe's storage initializer).</summary>
    public string StorageInitializerImage { get; set; } = "kserve/storage-initializer:v0.13.0";

    /// <summary>How long each cluster step (reserve, apply, delete) may take before the deployment saga gives up on it.</summary>
    public TimeSpan StepTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a Deployment may take to have its replicas ready before the workload is Failed.</summary>
    public TimeSpan ReadyTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>While a deleted tenant's workloads are being removed, how often the service checks whether any is left.</summary>
    public TimeSpan RemovalCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    public IReadOnlyCollection<string> Frameworks => Runtimes.Keys;

    private static ServingRuntime Triton() => new() { Image = "nvcr.io/nvidia/tritonserver:24.10-py3", Port = 8000, Args = ["tritonserver", "--model-repository={modelDir}"] };

    private static ServingRuntime MlServer() => new() { Image = "seldonio/mlserver:1.6.1", Port = 8080, Args = ["mlserver", "start", "{modelDir}"] };
}
