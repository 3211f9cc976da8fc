namespace GoCoffee.ClusterAgent.Targets;

/// <summary>The <c>ClusterAgent</c> configuration section: where objects go and how the API server is called.</summary>
public sealed class ClusterAgentOptions
{
    public const string Section = "ClusterAgent";

    public const string ManifestsTarget = "manifests";

    public const string KubernetesTarget = "kubernetes";

    /// <summary>
    /// <c>manifests</c> or <c>kubernetes</c>. Unset: <c>kubernetes</c> when running in a pod or when
    /// <see cref="Kubeconfig"/> is set, otherwise <c>manifests</c>.
    /// </summary>
    public string? Target { get; set; }

    /// <summary>The manifests folder: absolute, or relative to the content root.</summary>
    public string ManifestsPath { get; set; } = ".run/manifests";

    /// <summary>A kubeconfig file; unset uses the in-cluster service account in a pod, else <c>$KUBECONFIG</c> or <c>~/.kube/config</c>.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>The kubeconfig context to use; unset uses its current context.</summary>
    public string? KubeContext { get; set; }

    public KubernetesRequestOptions Kubernetes { get; set; } = new();

    /// <summary>The custom-resource bridge (only with the <c>kubernetes</c> target).</summary>
    public CustomResources.CustomResourceOptions CustomResources { get; set; } = new();
}

/// <summary>How requests to the API server are retried (429, 5xx, timeouts and connection failures only).</summary>
public sealed class KubernetesRequestOptions
{
    public int RetryAttempts { get; set; } = 5;

    /// <summary>The first back-off; it doubles each attempt, with jitter, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one request may take before it counts as a timeout and is retried.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
