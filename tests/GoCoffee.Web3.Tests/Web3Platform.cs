using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Numerics;
using GoCoffee.Contracts.Orders;
using GoCoffee.Contracts.Payments;
using GoCoffee.Contracts.Tenants;
using GoCoffee.Testing;
using GoCoffee.Web3.Invoices;
using GoCoffee.Web3.Tests.Chain;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using NBitcoin;

namespace GoCoffee.Web3.Tests;

[CollectionDefinition(Name)]
public sealed class Web3Collection : ICollectionFixture<Web3Platform>
{
    public const string Name = "web3 on anvil";
}

/// <summary>
/// The web3 service in-process on its own database and virtual host, watching a real anvil node on which the test
/// stablecoin is deployed; a listener that keeps every <see cref="PaymentConfirmed"/> the service publishes.
/// The tests publish what the tenant and orders services would, with those services' broker logins.
/// </summary>
public class Web3Platform : IAsyncLifetime
{
    public const int Confirmations = 3;

    /// <summary>The BIP-39 test mnemonic ("abandon" ×11, "about"): its account m/44'/60'/0' is a well-known test wallet.</summary>
    public const string TestMnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

    private IBusControl? _listener;

    public TestDatabase Database { get; private set; } = null!;

    public TestVirtualHost VirtualHost { get; private set; } = null!;

    public AnvilNode Node { get; private set; } = null!;

    public PlatformHost Host { get; private set; } = null!;

    public string TokenContract { get; private set; } = string.Empty;

    public ConcurrentQueue<PaymentConfirmed> Confirmed { get; } = new();

    public static string AccountXpub(string mnemonic = TestMnemonic, int account = 0) =>
        new Mnemonic(mnemonic).DeriveExtKey().Derive(new KeyPath($"m/44'/60'/{account}'")).Neuter().ToString(Network.Main);

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.Create();
        VirtualHost = await TestVirtualHost.Create();
        Node = await AnvilNode.Start(BlockTimeSeconds);
        TokenContract = await TestStablecoin.Deploy(Node, BigInteger.Pow(10, 15));
        await StartListener();
        if (RunsInProcess)
        {
            Host = await StartHost();
        }
    }

    /// <summary>False for a platform whose web3 service runs as a child process instead.</summary>
    protected virtual bool RunsInProcess => true;

    /// <summary>anvil's block interval; null mines a block per transaction (automine).</summary>
    protected virtual double? BlockTimeSeconds => null;

    public Task<PlatformHost> StartHost() =>
        PlatformHost.Start(Database, VirtualHost, builder => builder.AddWeb3Service(), app => app.MapWeb3Api(), Settings(Node.RpcUrl, TokenContract));

    /// <summary>The web3 service's configuration for one anvil network called <c>ethereum</c> (also the child process's, as environment).</summary>
    public static Dictionary<string, string?> Settings(string rpcUrl, string tokenContract) => new()
    {
        ["Web3:Networks:ethereum:RpcUrl"] = rpcUrl,
        ["Web3:Networks:ethereum:ChainId"] = AnvilNode.ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Web3:Networks:ethereum:Confirmations"] = Confirmations.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Web3:Networks:ethereum:PollInterval"] = "00:00:00.100",
        ["Web3:Networks:ethereum:StartBlock"] = "0",
        ["Web3:Networks:ethereum:Tokens:TUSD:Contract"] = tokenContract,
        ["Web3:Networks:ethereum:Tokens:TUSD:Decimals"] = "6",
        ["Web3:Rates:ETH:EUR"] = "3000",
        ["Web3:Rates:TUSD:EUR"] = "0.9",
        ["Web3:RatesAsOf"] = "2026-12-05T12:00:00Z",
        ["Web3:UnderpaymentTolerance"] = "0.005",
    };

    private async Task StartListener()
    {
        var broker = new Uri(VirtualHost.ConnectionString);
        var credentials = Uri.UnescapeDataString(broker.UserInfo).Split(':', 2);
        _listener = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(broker, host =>
            {
                host.Username(credentials[0]);
                host.Password(credentials[1]);
            });
            rabbit.ReceiveEndpoint($"test-payments-{Guid.NewGuid():N}", endpoint =>
                endpoint.Handler<PaymentConfirmed>(context =>
                {
                    Confirmed.Enqueue(context.Message);
                    return Task.CompletedTask;
                }));
        });
        await _listener.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
    }

    /// <summary>A tenant that takes crypto payments on ethereum, with the test wallet registered.</summary>
    private int _accounts;

    public async Task<(string TenantId, HttpClient Client)> Tenant(bool registerWallet = true)
    {
        var tenantId = TestInfrastructure.UniqueName("t").Replace('_', '-');
        await EnableWeb3(tenantId, ["ethereum"], version: 2);
        var client = Host.ClientForTenant(tenantId);
        if (registerWallet)
        {
            (await client.PutAsJsonAsync($"/api/web3/tenants/{tenantId}/wallets/ethereum", new { extendedPublicKey = AccountXpub(account: Interlocked.Increment(ref _accounts)) })).EnsureSuccessStatusCode();
        }

        return (tenantId, client);
    }

    public async Task EnableWeb3(string tenantId, IReadOnlyList<string> networks, long version, bool enabled = true)
    {
        await BrokerPublisher.Publish(
            VirtualHost.ConnectionStringFor("tenant"),
            new TenantServicesChanged(tenantId, "enterprise", new CoffeeAccess(true, []), new AiAccess(false, [], 0, []), new Web3Access(enabled, networks), version, DateTimeOffset.UtcNow));
        await TestInfrastructure.Eventually(
            async () =>
            {
                await using var scope = Host.Services.CreateAsyncScope();
                var session = scope.ServiceProvider.GetRequiredService<Marten.IQuerySession>();
                var access = await session.LoadAsync<GoCoffee.Web3.Tenants.TenantWeb3Access>(tenantId);
                return access?.Version >= version ? (bool?)true : null;
            },
            TimeSpan.FromSeconds(30),
            $"the web3 service learns tenant {tenantId}'s networks");
    }

    /// <summary>An order of <paramref name="amount"/> EUR awaiting payment, as the orders service announces it.</summary>
    public async Task<Guid> OrderAwaitingPayment(string tenantId, decimal amount, TimeSpan? payWithin = null)
    {
        var orderId = Guid.NewGuid();
        await BrokerPublisher.Publish(
            VirtualHost.ConnectionStringFor("orders"),
            new OrderAwaitingPayment(orderId, tenantId, amount, "EUR", DateTimeOffset.UtcNow + (payWithin ?? TimeSpan.FromMinutes(30)), DateTimeOffset.UtcNow));
        await TestInfrastructure.Eventually(
            async () =>
            {
                await using var scope = Host.Services.CreateAsyncScope();
                var session = scope.ServiceProvider.GetRequiredService<Marten.IQuerySession>();
                return await session.LoadAsync<GoCoffee.Web3.Orders.PayableOrder>(orderId) is not null ? (bool?)true : null;
            },
            TimeSpan.FromSeconds(30),
            $"the web3 service learns order {orderId}");
        return orderId;
    }

    public async Task<InvoiceView> Issue(HttpClient client, string tenantId, Guid orderId, string? asset = null)
    {
        var response = await client.PostAsJsonAsync($"/api/web3/tenants/{tenantId}/invoices", new { orderId, network = "ethereum", asset });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<InvoiceView>(Json))!;
    }

    public static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    public async Task<InvoiceView> Invoice(HttpClient client, string tenantId, Guid invoiceId) =>
        (await client.GetFromJsonAsync<InvoiceView>($"/api/web3/tenants/{tenantId}/invoices/{invoiceId}", Json))!;

    public Task<InvoiceView> WaitFor(HttpClient client, string tenantId, Guid invoiceId, string state, TimeSpan? timeout = null) =>
        TestInfrastructure.Eventually(
            async () => await Invoice(client, tenantId, invoiceId) is { } invoice && invoice.State == state ? invoice : null,
            timeout ?? TimeSpan.FromSeconds(30),
            $"invoice {invoiceId} becomes {state}");

    /// <summary>Waits until the watcher has read the node's current head (so anything it would do about it is done).</summary>
    public async Task WatcherCaughtUp(PlatformHost? host = null)
    {
        var head = await Node.Head();
        await TestInfrastructure.Eventually(
            async () =>
            {
                await using var scope = (host ?? Host).Services.CreateAsyncScope();
                var session = scope.ServiceProvider.GetRequiredService<Marten.IQuerySession>();
                var cursor = await session.LoadAsync<GoCoffee.Web3.Watching.ChainCursor>("ethereum");
                return cursor?.LastBlock >= head ? (bool?)true : null;
            },
            TimeSpan.FromSeconds(30),
            $"the watcher reads block {head}");
    }

    public IReadOnlyList<PaymentConfirmed> ConfirmationsFor(Guid orderId) => [.. Confirmed.Where(c => c.OrderId == orderId)];

    public Task<PaymentConfirmed> WaitForConfirmation(Guid orderId) =>
        TestInfrastructure.Eventually(
            () => Task.FromResult(Confirmed.FirstOrDefault(c => c.OrderId == orderId)),
            TimeSpan.FromSeconds(30),
            $"PaymentConfirmed for order {orderId} is published");

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        if (_listener is not null)
        {
            await _listener.StopAsync();
        }

        if (Node is not null)
        {
            await Node.DisposeAsync();
        }

        if (VirtualHost is not null)
        {
            await VirtualHost.DisposeAsync();
        }

        if (Database is not null)
        {
            await Database.DisposeAsync();
        }
    }
}
