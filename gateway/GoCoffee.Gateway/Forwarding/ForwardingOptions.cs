namespace GoCoffee.Gateway.Forwarding;

/// <summary><c>Gateway:Resilience</c>: how the gateway treats a service that fails.</summary>
public sealed class ForwardingOptions
{
    public const string Section = "Gateway:Resilience";

    /// <summary>Attempts in all (first try included) for a request that may be retried: GET, HEAD, OPTIONS, or one with an Idempotency-Key.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Wait before the first retry; doubled for each further one.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>A body kept to be sent again (a write with an Idempotency-Key) stays in memory up to this size, beyond it in a temporary file.</summary>
    public int RetryBodyMemoryThresholdBytes { get; set; } = 64 * 1024;

    /// <summary>How long a connection to a service may take before the attempt fails.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
