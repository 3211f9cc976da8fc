using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GoCoffee.ServiceDefaults.Security;
using GoCoffee.Testing;

namespace GoCoffee.AiWorkload.Tests;

/// <summary>The ai-workload service as a real process, killed with SIGKILL in the middle of a deployment.</summary>
public sealed class CrashTests(CrashTests.Platform platform) : IClassFixture<CrashTests.Platform>
{
    public sealed class Platform : AiPlatform
    {
        protected override bool AiInProcess => false;
    }

    [Fact]
    public async Task A_deployment_resumes_after_the_ai_workload_service_is_killed_with_sigkill_mid_deployment()
    {
        var port = FreePort();
        var address = new Uri($"http://127.0.0.1:{port}/");
        using var clients = new ClientPool(address);
        platform.AiClientFactory = clients.For;
        var environment = new Dictionary<string, string>
        {
            ["Urls"] = address.ToString().TrimEnd('/'),
            ["ConnectionStrings__Postgres"] = platform.Database.ConnectionString,
            ["ConnectionStrings__RabbitMq"] = platform.VirtualHost.ConnectionStringFor("ai-workload"),
            ["Messaging__BrokerUserPrefix"] = platform.VirtualHost.UserPrefix,
            ["Messaging__Outbox__PollInterval"] = "00:00:00.100",
            ["Platform__UseDevelopmentKeys"] = "true",
        };
        using var service = Start(environment);
        try
        {
            await TestInfrastructure.Eventually(
                async () => (await platform.RegisterModel("crashy", "coffee-recommendation", "v1")).StatusCode == HttpStatusCode.Created ? "registered" : null,
                TimeSpan.FromSeconds(60),
                "the service is up and registers the model");
            await TestInfrastructure.Eventually(
                async () => await BrokerQueues.ReadyMessages(platform.VirtualHost.Name, "ai-workload-tenant-services-changed") is not null ? "bound" : null,
                TimeSpan.FromSeconds(60),
                "the service's bus listens for tenant changes");
            await platform.CreateTenant("crashy", gpuQuota: 2);

            // The cluster-agent is slow to apply the Deployment: the saga waits for it when the service dies.
            using var slow = platform.Kubernetes.Delay("patch", "deployments", TimeSpan.FromSeconds(2));
            await TestInfrastructure.Eventually(
                async () => (await platform.ApplyWorkload("crashy", DeploymentTests.Workload("survivor", "v1", gpus: 1))).StatusCode == HttpStatusCode.Accepted ? "accepted" : null,
                TimeSpan.FromSeconds(30),
                "the workload is accepted (once the service knows the tenant)");
            await TestInfrastructure.Eventually(
                () => Task.FromResult(platform.Kubernetes.Requests.Any(r => r.Method == "PATCH" && r.Path.EndsWith("/deployments/survivor", StringComparison.Ordinal)) ? "applying" : null),
                TimeSpan.FromSeconds(30),
                "the cluster-agent is applying the Deployment the saga asked for");

            Kill(service.Process!);
            await TestInfrastructure.Eventually(
                () => Task.FromResult(platform.Kubernetes.Get("deployments", "crashy-1", "survivor")),
                TimeSpan.FromSeconds(30),
                "the agent applies the Deployment while the service is down");
            platform.MarkReady("crashy-1", "survivor");

            using var restarted = Start(environment);
            try
            {
                var running = await platform.WaitForPhase("crashy", "survivor", "Running", TimeSpan.FromSeconds(60));
                Assert.Equal("v1", running.GetProperty("status").GetProperty("modelStatus").GetProperty("version").GetString());
                Assert.Equal(1, (await platform.Quota("crashy")).GetProperty("reserved").GetProperty("gpus").GetInt32());
            }
            finally
            {
                Stop(restarted.Process!);
            }
        }
        finally
        {
            if (service.Process is { HasExited: false } alive)
            {
                Stop(alive);
            }
        }
    }

    private static Running Start(IReadOnlyDictionary<string, string> environment)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "GoCoffee.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd('/')) ?? throw new InvalidOperationException("repository root not found");
        }

        var bin = Path.Combine(root, "services", "GoCoffee.AiWorkload", "bin", "Release", "net10.0");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = bin, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(bin, "GoCoffee.AiWorkload.dll"));
        foreach (var inherited in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "DOTNET_URLS", "OTEL_EXPORTER_OTLP_ENDPOINT" })
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("the ai-workload service did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Running(process);
    }

    private static void Kill(Process process)
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-9", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!)
        {
            kill.WaitForExit(10_000);
        }

        Assert.True(process.WaitForExit(10_000), "the service survived SIGKILL");
    }

    private static void Stop(Process process)
    {
        process.Kill();
        process.WaitForExit(10_000);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record Running(Process? Process) : IDisposable
    {
        public void Dispose() => Process?.Dispose();
    }

    private sealed class ClientPool(Uri address) : IDisposable
    {
        private readonly List<HttpClient> _clients = [];

        public HttpClient For(string tenantId)
        {
            var client = new HttpClient(new InternalTokenHandler(InternalTokens.Development, InternalCaller.ForTenant($"test:tenant:{tenantId}", tenantId), "ai-workload") { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = address };
            _clients.Add(client);
            return client;
        }

        public void Dispose() => _clients.ForEach(c => c.Dispose());
    }
}
