using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GoCoffee.Observability.Tests;

/// <summary>
/// A real Prometheus (Debian's <c>prometheus</c>; scripts/tools.sh installs it) as a stack's Prometheus would be: two
/// scrape targets (a test exporter that answers, and a port nobody listens on) and two alerting rules (one that
/// always fires, one that never does), evaluated every 250 ms.
/// </summary>
public sealed class TestPrometheus : IAsyncDisposable
{
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

    private async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _exporter = builder.Build();
        _exporter.MapGet("/metrics", () => Results.Text("# TYPE coffee_orders_total counter\ncoffee_orders_total 42\n", "text/plain; version=0.0.4"));
        await _exporter.StartAsync();
        var exporter = new Uri(_exporter.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

        _directory = Path.Combine(Path.GetTempPath(), $"gocoffee-prometheus-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_directory);
        var config = Path.Combine(_directory, "prometheus.yml");
        var rules = Path.Combine(_directory, "rules.yml");
        await File.WriteAllTextAsync(rules, """
            groups:
              - name: test
                rules:
                  - alert: AlwaysFiring
                    expr: vector(1) > 0
                  - alert: NeverFiring
                    expr: vector(0) > 1
            """);
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 250ms
              evaluation_interval: 250ms
            rule_files: ["{rules}"]
            scrape_configs:
              - job_name: coffee
                static_configs:
                  - targets: ["{exporter.Authority}", "127.0.0.1:{FreePort()}"]
            """);
        var port = FreePort();
        _prometheus = Process.Start(new ProcessStartInfo("prometheus")
        {
            ArgumentList = { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(_directory, "data")}", $"--web.listen-address=127.0.0.1:{port}" },
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
            async () =>
            {
                try
                {
                    return (await client.GetAsync(new Uri(Address, "-/ready"))).StatusCode == HttpStatusCode.OK ? "ready" : null;
                }
                catch (HttpRequestException)
                {
                    return null;
                }
            },
            TimeSpan.FromSeconds(30),
            "Prometheus is ready");
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
