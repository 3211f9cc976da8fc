using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GoCoffee.AiWorkload.Tests;

/// <summary>
/// A test exporter serving DCGM-named GPU utilisation series (as NVIDIA's DCGM exporter names them), and a real
/// Prometheus (Debian's <c>prometheus</c> binary; scripts/tools.sh installs it) scraping it every 250 ms.
/// </summary>
public sealed class TestPrometheus : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Namespace, string Pod), double> _utilisation = new();
    private WebApplication _exporter = null!;
    private Process _prometheus = null!;
    private string _directory = string.Empty;

    public Uri Address { get; private set; } = null!;

    public static async Task<TestPrometheus> Start()
    {
        var instance = new TestPrometheus();
        await instance.StartAsync();
        return instance;
    }

    /// <summary>What the GPUs of <paramref name="pod"/> report from the next scrape on.</summary>
    public void SetUtilisation(string ns, string pod, double percent) => _utilisation[(ns, pod)] = percent;

    private async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _exporter = builder.Build();
        _exporter.MapGet("/metrics", () =>
        {
            var text = new StringBuilder("# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).\n# TYPE DCGM_FI_DEV_GPU_UTIL gauge\n");
            foreach (var ((ns, pod), value) in _utilisation)
            {
                text.Append(CultureInfo.InvariantCulture, $"DCGM_FI_DEV_GPU_UTIL{{gpu=\"0\",namespace=\"{ns}\",pod=\"{pod}\",container=\"model-server\"}} {value}\n");
            }

            return Results.Text(text.ToString(), "text/plain; version=0.0.4");
        });
        await _exporter.StartAsync();
        var exporter = new Uri(_exporter.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

        _directory = Path.Combine(Path.GetTempPath(), $"gocoffee-prometheus-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_directory);
        var config = Path.Combine(_directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 250ms
              evaluation_interval: 250ms
            scrape_configs:
              - job_name: dcgm
                honor_labels: true
                static_configs:
                  - targets: ["{exporter.Authority}"]
            """);
        var port = FreePort();
        _prometheus = Process.Start(new ProcessStartInfo("prometheus")
        {
            ArgumentList = { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(_directory, "data")}", $"--web.listen-address=127.0.0.1:{port}", "--query.lookback-delta=2s" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("prometheus did not start (install it: scripts/tools.sh)");
        _prometheus.OutputDataReceived += (_, _) => { };
        _prometheus.ErrorDataReceived += (_, _) => { };
        _prometheus.BeginOutputReadLine();
        _prometheus.BeginErrorReadLine();
        Address = new Uri($"http://127.0.0.1:{port}/");
        using var client = new HttpClient();
        await Testing.TestInfrastructure.Eventually(
            async () => (await client.GetAsync(new Uri(Address, "-/ready"))).StatusCode == HttpStatusCode.OK ? "ready" : null,
            TimeSpan.FromSeconds(30),
            "Prometheus is ready");
    }

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

    public async ValueTask DisposeAsync()
    {
        if (_prometheus is { HasExited: false })
        {
            _prometheus.Kill();
            await _prometheus.WaitForExitAsync();
        }

        _prometheus?.Dispose();
        await _exporter.DisposeAsync();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
