using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using GoCoffee.Testing;

namespace GoCoffee.AiWorkload.Tests;

/// <summary>
/// A test exporter serving DCGM-named GPU utilisation series (as NVIDIA's DCGM exporter names them), and a real
/// Prometheus scraping it every 250 ms.
/// </summary>
public sealed class TestPrometheus : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Namespace, string Pod), double> _utilisation = new();
    private PrometheusServer _server = null!;

    public Uri Address => _server.Address;

    public static async Task<TestPrometheus> Start()
    {
        var instance = new TestPrometheus();
        instance._server = await PrometheusServer.Start(
            instance.Exposition,
            (exporter, _) => $"""
                global:
                  scrape_interval: 250ms
                  evaluation_interval: 250ms
                scrape_configs:
                  - job_name: dcgm
                    honor_labels: true
                    static_configs:
                      - targets: ["{exporter}"]
                """,
            "--query.lookback-delta=2s");
        return instance;
    }

    /// <summary>What the GPUs of <paramref name="pod"/> report from the next scrape on.</summary>
    public void SetUtilisation(string ns, string pod, double percent) => _utilisation[(ns, pod)] = percent;

    /// <summary>Waits until Prometheus answers <paramref name="query"/> with <paramref name="value"/>.</summary>
    public async Task WaitForValue(string query, double value)
    {
        using var client = new HttpClient();
        await Testing.TestInfrastructure.Eventually(
            async () =>
            {
                var body = await client.GetStringAsync(new Uri(Address, $"api/v1/query?query={Uri.EscapeDataString(query)}"));
                return body.Contains($"\"{value.ToString(CultureInfo.InvariantCulture)}\"", StringComparison.Ordinal) ? "seen" : null;
            },
            TimeSpan.FromSeconds(20),
            $"Prometheus answers {query} = {value}");
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private string Exposition()
    {
        var text = new StringBuilder("# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).\n# TYPE DCGM_FI_DEV_GPU_UTIL gauge\n");
        foreach (var ((ns, pod), value) in _utilisation)
        {
            text.Append(CultureInfo.InvariantCulture, $"DCGM_FI_DEV_GPU_UTIL{{gpu=\"0\",namespace=\"{ns}\",pod=\"{pod}\",container=\"model-server\"}} {value}\n");
        }

        return text.ToString();
    }
}
