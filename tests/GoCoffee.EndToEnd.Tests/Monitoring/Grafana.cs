namespace GoCoffee.Monitoring;

/// <summary>A panel query as Grafana sends it to Prometheus with every template variable on "All".</summary>
public static class Grafana
{
    public static string Expand(string expr) => expr
        .Replace("$__rate_interval", "1m", StringComparison.Ordinal)
        .Replace("$__interval", "1m", StringComparison.Ordinal)
        .Replace("\"$service\"", "\".+\"", StringComparison.Ordinal)
        .Replace("\"$tenant\"", "\".+\"", StringComparison.Ordinal)
        .Replace("\"$vhost\"", "\".+\"", StringComparison.Ordinal);
}
