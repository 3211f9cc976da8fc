namespace GoCoffee.Gateway.Edge;

/// <summary><c>Gateway:Cors</c>: the front-end origins browsers may call the API from.</summary>
public sealed class CorsOptions
{
    public const string Section = "Gateway:Cors";
    public const string Policy = "front-ends";

    /// <summary>Exact origins (<c>https://app.example.com</c>); none means no cross-origin browser calls.</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    public TimeSpan PreflightMaxAge { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary><c>Gateway:Limits</c>: how large a request may be.</summary>
public sealed class RequestLimitOptions
{
    public const string Section = "Gateway:Limits";

    /// <summary>Route metadata that overrides <see cref="MaxRequestBodyBytes"/> for one route.</summary>
    public const string MaxRequestBodyBytesMetadata = "MaxRequestBodyBytes";

    /// <summary>Largest request body the gateway forwards (default 1 MiB); larger ones get 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
}
