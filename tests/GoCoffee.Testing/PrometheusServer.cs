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

namespace GoCoffee.Testing;

/// <summary>
/// A real Prometheus (Debian's <c>prometheus</c>; scripts/tools.sh installs it) on a free loopback port, with a scrape
/// target the test serves itself (its <c>/metrics</c> answers what <c>metrics</c> returns at each scrape). The caller
/// writes the configuration; the process is killed and its folder deleted on dispose.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly WebApplication _exporter;
    private readonly Process _process;
    private readonly string _folder;

    private PrometheusServer(WebApplication exporter, Process process, string folder, Uri address)
    {
        _exporter = exporter;
        _process = process;
        _folder = folder;
        Address = address;
    }

    public Uri Address { get; }

    /// <param name="metrics">The exporter's exposition text, read at every scrape.</param>
    /// <param name="configuration">prometheus.yml, given the exporter's host:port and a folder it may write rule files into.</param>
    /// <param name="arguments">More command-line flags (e.g. <c>--query.lookback-delta=2s</c>).</param>
    public static async Task<PrometheusServer> Start(Func<string> metrics, Func<string, string, string> configuration, params string[] arguments)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var exporter = builder.Build();
        exporter.MapGet("/metrics", () => Results.Text(metrics(), "text/plain; version=0.0.4"));
        await exporter.StartAsync();
        var exporterAddress = new Uri(exporter.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

        var folder = Path.Combine(Path.GetTempPath(), $"gocoffee-prometheus-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var config = Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, configuration(exporterAddress.Authority, folder));
        var port = FreePort();
        var start = new ProcessStartInfo("prometheus")
        {
            ArgumentList = { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(folder, "data")}", $"--web.listen-address=127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start (install it: scripts/tools.sh)");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(exporter, process, folder, new Uri($"http://127.0.0.1:{port}/"));
        using var client = new HttpClient();
        await TestInfrastructure.Eventually(
            async () =>
            {
                try
                {
                    return (await client.GetAsync(new Uri(server.Address, "-/ready"))).StatusCode == HttpStatusCode.OK ? "ready" : null;
                }
                catch (HttpRequestException)
                {
                    return null;
                }
            },
            TimeSpan.FromSeconds(30),
            "Prometheus is ready");
        return server;
    }

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        await _exporter.DisposeAsync();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
