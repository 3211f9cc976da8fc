using System.Diagnostics;
using System.Net.Http.Json;
using System.Numerics;
using GoCoffee.Contracts.Orders;
using GoCoffee.Contracts.Tenants;
using GoCoffee.ServiceDefaults.Security;
using GoCoffee.Testing;
using GoCoffee.Web3.Invoices;
using GoCoffee.Web3.Networks;

namespace GoCoffee.Web3.Tests;

/// <summary>The web3 service as a real child process (<c>dotnet GoCoffee.Web3.dll</c>), on its own database, broker and anvil.</summary>
public sealed class ChildProcessPlatform : Web3Platform
{
    private Process? _process;

    public int Port { get; } = Chain.AnvilNode.FreePort();

    protected override bool RunsInProcess => false;

    public void StartService()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "GoCoffee.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd('/')) ?? throw new InvalidOperationException("No GoCoffee.sln above the test output.");
        }

        var bin = Path.Combine(root, "services", "GoCoffee.Web3", "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = bin, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(bin, "GoCoffee.Web3.dll"));
        foreach (var inherited in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "DOTNET_URLS", "OTEL_EXPORTER_OTLP_ENDPOINT" })
        {
            start.Environment.Remove(inherited);
        }

        start.Environment["Urls"] = $"http://127.0.0.1:{Port}";
        start.Environment["ConnectionStrings__Postgres"] = Database.ConnectionString;
        start.Environment["ConnectionStrings__RabbitMq"] = VirtualHost.ConnectionStringFor("web3");
        start.Environment["Messaging__BrokerUserPrefix"] = VirtualHost.UserPrefix;
        start.Environment["Platform__UseDevelopmentKeys"] = "true";
        foreach (var (key, value) in Settings(Node.RpcUrl, TokenContract))
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>SIGKILL: no shutdown hooks, the open transaction dies with the connection.</summary>
    public int Kill()
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-9", _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!)
        {
            kill.WaitForExit(10_000);
        }

        _process.WaitForExit(10_000);
        var code = _process.ExitCode;
        _process.Dispose();
        _process = null;
        return code;
    }

    public HttpClient ClientFor(InternalCaller caller) =>
        new(new InternalTokenHandler(InternalTokens.Development, caller, "web3") { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = new Uri($"http://127.0.0.1:{Port}") };

    public new async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        await base.DisposeAsync();
    }
}

public sealed class WatcherCrashTests : IAsyncLifetime
{
    private readonly ChildProcessPlatform _platform = new();

    public Task InitializeAsync() => _platform.InitializeAsync();

    public Task DisposeAsync() => _platform.DisposeAsync();

    [Fact]
    public async Task Watcher_killed_with_sigkill_mid_catch_up_resumes_without_missing_or_double_counting_and_confirms_each_order_once()
    {
        _platform.StartService();
        using var admin = _platform.ClientFor(InternalCaller.PlatformAdmin("test:admin"));
        await TestInfrastructure.Eventually(
            async () => (await admin.GetFromJsonAsync<List<NetworkView>>("/api/web3/networks", Web3Platform.Json))?.SingleOrDefault()?.LastBlock,
            TimeSpan.FromSeconds(60),
            "the child web3 service starts watching");

        const string tenantId = "crash-tenant";
        await BrokerPublisher.Publish(_platform.VirtualHost.ConnectionStringFor("tenant"), new TenantServicesChanged(tenantId, "enterprise", new CoffeeAccess(true, []), new AiAccess(false, [], 0, []), new Web3Access(true, ["ethereum"]), 2, DateTimeOffset.UtcNow));
        using var client = _platform.ClientFor(InternalCaller.ForTenant("test:tenant", tenantId));
        (await client.PutAsJsonAsync($"/api/web3/tenants/{tenantId}/wallets/ethereum", new { extendedPublicKey = Web3Platform.AccountXpub(account: 7) })).EnsureSuccessStatusCode();

        var invoices = new List<InvoiceView>();
        for (var i = 0; i < 3; i++)
        {
            var orderId = Guid.NewGuid();
            await BrokerPublisher.Publish(_platform.VirtualHost.ConnectionStringFor("orders"), new OrderAwaitingPayment(orderId, tenantId, 4.50m, "EUR", DateTimeOffset.UtcNow.AddMinutes(30), DateTimeOffset.UtcNow));
            invoices.Add(await TestInfrastructure.Eventually(
                async () =>
                {
                    using var response = await client.PostAsJsonAsync($"/api/web3/tenants/{tenantId}/invoices", new { orderId, network = "ethereum" });
                    return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<InvoiceView>(Web3Platform.Json) : null;
                },
                TimeSpan.FromSeconds(30),
                "an invoice is issued once the service knows the tenant and the order"));
        }

        // Payments spread over a long run of blocks: the watcher needs several steps (50 blocks each) to read them.
        foreach (var invoice in invoices)
        {
            await _platform.Node.Pay(invoice.Address, BigInteger.Parse(invoice.AmountDueBaseUnits, System.Globalization.CultureInfo.InvariantCulture));
            await _platform.Node.Mine(60);
        }

        Assert.Equal(137, _platform.Kill());
        await _platform.Node.Mine(5);
        _platform.StartService();

        foreach (var invoice in invoices)
        {
            var settled = await TestInfrastructure.Eventually(
                async () => await client.GetFromJsonAsync<InvoiceView>($"/api/web3/tenants/{tenantId}/invoices/{invoice.Id}", Web3Platform.Json) is { State: "Settled" } view ? view : null,
                TimeSpan.FromSeconds(60),
                $"invoice {invoice.Id} settles after the restart");
            Assert.Single(settled.Payments);
            Assert.Equal("0.0015", settled.Received);
            await _platform.WaitForConfirmation(invoice.OrderId);
        }

        var head = await _platform.Node.Head();
        await TestInfrastructure.Eventually(
            async () => (await admin.GetFromJsonAsync<List<NetworkView>>("/api/web3/networks", Web3Platform.Json))!.Single().LastBlock >= head ? (bool?)true : null,
            TimeSpan.FromSeconds(30),
            "the restarted watcher reaches the head");
        Assert.All(invoices, invoice => Assert.Single(_platform.ConfirmationsFor(invoice.OrderId)));
    }
}
