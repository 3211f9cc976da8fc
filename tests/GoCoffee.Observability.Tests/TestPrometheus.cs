using GoCoffee.Testing;

namespace GoCoffee.Observability.Tests;

/// <summary>
/// A real Prometheus as a stack's Prometheus would be: two scrape targets (a test exporter that answers, and a port
/// nobody listens on) and two alerting rules (one that always fires, one that never does), evaluated every 250 ms.
/// </summary>
public sealed class TestPrometheus : IAsyncDisposable
{
    private readonly PrometheusServer _server;

    private TestPrometheus(PrometheusServer server) => _server = server;

    public Uri Address => _server.Address;

    public static async Task<TestPrometheus> Start() => new(await PrometheusServer.Start(
        () => "# TYPE coffee_orders_total counter\ncoffee_orders_total 42\n",
        (exporter, folder) =>
        {
            var rules = Path.Combine(folder, "rules.yml");
            File.WriteAllText(rules, """
                groups:
                  - name: test
                    rules:
                      - alert: AlwaysFiring
                        expr: vector(1) > 0
                      - alert: NeverFiring
                        expr: vector(0) > 1
                """);
            return $"""
                global:
                  scrape_interval: 250ms
                  evaluation_interval: 250ms
                rule_files: ["{rules}"]
                scrape_configs:
                  - job_name: coffee
                    static_configs:
                      - targets: ["{exporter}", "127.0.0.1:{PrometheusServer.FreePort()}"]
                """;
        }));

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
