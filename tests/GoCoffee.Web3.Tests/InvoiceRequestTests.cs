using System.Net;
using System.Net.Http.Json;
using System.Text;
using GoCoffee.Web3.Invoices;
using GoCoffee.Web3.Wallets;
using NBitcoin;

namespace GoCoffee.Web3.Tests;

/// <summary>Hostile and cross-tenant requests to wallets and invoices: refused with a problem naming the field, nothing changed.</summary>
[Collection(Web3Collection.Name)]
public sealed class InvoiceRequestTests(Web3Platform platform)
{
    private static readonly string MasterXprv = new Mnemonic(Web3Platform.TestMnemonic).DeriveExtKey().ToString(Network.Main);

    public static TheoryData<string, string, string> HostileWallets => new()
    {
        { "ethereum", "{}", "extendedPublicKey" },
        { "ethereum", "{\"extendedPublicKey\":\"\"}", "extendedPublicKey" },
        { "ethereum", $"{{\"extendedPublicKey\":\"{MasterXprv}\"}}", "extendedPublicKey" },
        { "ethereum", $"{{\"extendedPublicKey\":\"{new Mnemonic(Web3Platform.TestMnemonic).DeriveExtKey().Derive(new KeyPath("m/44'/60'/0'")).ToString(Network.Main)}\"}}", "extendedPublicKey" },
        { "ethereum", $"{{\"extendedPublicKey\":\"{new Mnemonic(Web3Platform.TestMnemonic).DeriveExtKey().Neuter().ToString(Network.Main)}\"}}", "extendedPublicKey" },
        { "ethereum", $"{{\"extendedPublicKey\":\"{new Mnemonic(Web3Platform.TestMnemonic).DeriveExtKey().Derive(new KeyPath("m/44'/60'/0'/0")).Neuter().ToString(Network.Main)}\"}}", "extendedPublicKey" },
        { "ethereum", $"{{\"extendedPublicKey\":\"{Web3Platform.AccountXpub(account: 900)[..^1]}x\"}}", "extendedPublicKey" },
        { "ethereum", "{\"extendedPublicKey\":\"xpub' OR 1=1 --\"}", "extendedPublicKey" },
        { "ethereum", $"{{\"extendedPublicKey\":\"{new string('x', 5000)}\"}}", "extendedPublicKey" },
        { "ethereum", "{\"extendedPublicKey\":42}", "extendedPublicKey" },
        { "ethereum", $"{{\"extendedPublicKey\":\"{Web3Platform.AccountXpub(account: 901)}\",\"extendedPublicKey\":\"{Web3Platform.AccountXpub(account: 902)}\"}}", "extendedPublicKey" },
        { "bitcoin", $"{{\"extendedPublicKey\":\"{Web3Platform.AccountXpub(account: 903)}\"}}", "network" },
    };

    [Theory]
    [MemberData(nameof(HostileWallets))]
    public async Task Hostile_wallet_registration_is_refused_naming_the_field_and_changes_nothing(string network, string body, string field)
    {
        var (tenantId, client) = await platform.Tenant();
        var before = await client.GetFromJsonAsync<List<WalletView>>($"/api/web3/tenants/{tenantId}/wallets", Web3Platform.Json);

        using var response = await client.PutAsync($"/api/web3/tenants/{tenantId}/wallets/{network}", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertProblem(response, HttpStatusCode.BadRequest, field);
        var after = await client.GetFromJsonAsync<List<WalletView>>($"/api/web3/tenants/{tenantId}/wallets", Web3Platform.Json);
        Assert.Equal(before!.Select(w => w.ExtendedPublicKey), after!.Select(w => w.ExtendedPublicKey));
    }

    [Fact]
    public async Task A_private_key_is_refused_with_a_reason_that_says_so()
    {
        var (tenantId, client) = await platform.Tenant(registerWallet: false);
        using var response = await client.PutAsJsonAsync($"/api/web3/tenants/{tenantId}/wallets/ethereum", new { extendedPublicKey = MasterXprv });
        var problem = await AssertProblem(response, HttpStatusCode.BadRequest, "extendedPublicKey");
        Assert.Contains("PRIVATE", problem, StringComparison.Ordinal);
        Assert.Empty((await client.GetFromJsonAsync<List<WalletView>>($"/api/web3/tenants/{tenantId}/wallets", Web3Platform.Json))!);
    }

    [Fact]
    public async Task Another_tenants_account_key_is_refused()
    {
        var (tenantId, client) = await platform.Tenant(registerWallet: false);
        var (otherId, other) = await platform.Tenant();
        var taken = (await other.GetFromJsonAsync<List<WalletView>>($"/api/web3/tenants/{otherId}/wallets", Web3Platform.Json))![0].ExtendedPublicKey;
        using var response = await client.PutAsJsonAsync($"/api/web3/tenants/{tenantId}/wallets/ethereum", new { extendedPublicKey = taken });
        await AssertProblem(response, HttpStatusCode.Conflict, "extendedPublicKey");
    }

    public static TheoryData<string, string, HttpStatusCode> HostileInvoices => new()
    {
        { "{}", "orderId", HttpStatusCode.BadRequest },
        { "{\"orderId\":\"00000000-0000-0000-0000-000000000000\",\"network\":\"ethereum\"}", "orderId", HttpStatusCode.BadRequest },
        { "{\"orderId\":\"not-a-guid\",\"network\":\"ethereum\"}", "orderId", HttpStatusCode.BadRequest },
        { "{\"orderId\":\"{order}\"}", "network", HttpStatusCode.BadRequest },
        { "{\"orderId\":\"{order}\",\"network\":\"solana\"}", "network", HttpStatusCode.BadRequest },
        { "{\"orderId\":\"{order}\",\"network\":\"ethereum\",\"asset\":\"DOGE\"}", "asset", HttpStatusCode.BadRequest },
        { "{\"orderId\":\"{order}\",\"network\":\"ethereum\",\"network\":\"polygon\"}", "network", HttpStatusCode.BadRequest },
        { "{\"orderId\":\"{order}\",\"network\":[\"ethereum\"]}", "network", HttpStatusCode.BadRequest },
        { "{\"orderId\":\"" + "11111111-1111-1111-1111-111111111111" + "\",\"network\":\"ethereum\"}", "orderId", HttpStatusCode.NotFound },
        { "[1,2,3]", "$", HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(HostileInvoices))]
    public async Task Hostile_invoice_request_is_refused_naming_the_field_and_issues_nothing(string body, string field, HttpStatusCode status)
    {
        var (tenantId, client) = await platform.Tenant();
        var orderId = await platform.OrderAwaitingPayment(tenantId, 4.50m);

        using var response = await client.PostAsync($"/api/web3/tenants/{tenantId}/invoices", new StringContent(body.Replace("{order}", orderId.ToString(), StringComparison.Ordinal), Encoding.UTF8, "application/json"));

        await AssertProblem(response, status, field);
        Assert.Empty((await client.GetFromJsonAsync<List<InvoiceView>>($"/api/web3/tenants/{tenantId}/invoices", Web3Platform.Json))!);
    }

    [Fact]
    public async Task Invoices_are_refused_on_a_network_the_tenant_has_not_enabled_for_a_closed_order_and_without_a_wallet()
    {
        var (tenantId, client) = await platform.Tenant(registerWallet: false);
        var orderId = await platform.OrderAwaitingPayment(tenantId, 4.50m);
        await AssertProblem(await client.PostAsJsonAsync($"/api/web3/tenants/{tenantId}/invoices", new { orderId, network = "ethereum" }), HttpStatusCode.Conflict, "network");

        await platform.EnableWeb3(tenantId, [], version: 3, enabled: false);
        await AssertProblem(await client.PostAsJsonAsync($"/api/web3/tenants/{tenantId}/invoices", new { orderId, network = "ethereum" }), HttpStatusCode.Forbidden, "network");
        Assert.Empty((await client.GetFromJsonAsync<List<InvoiceView>>($"/api/web3/tenants/{tenantId}/invoices", Web3Platform.Json))!);
    }

    [Fact]
    public async Task An_order_has_one_open_invoice_and_each_invoice_a_fresh_address()
    {
        var (tenantId, client) = await platform.Tenant();
        var first = await platform.Issue(client, tenantId, await platform.OrderAwaitingPayment(tenantId, 4.50m));
        var second = await platform.Issue(client, tenantId, await platform.OrderAwaitingPayment(tenantId, 4.50m));
        Assert.NotEqual(first.Address, second.Address);
        Assert.Equal("m/44'/60'/0'/0/0", first.DerivationPath);
        Assert.Equal("m/44'/60'/0'/0/1", second.DerivationPath);
        await AssertProblem(await client.PostAsJsonAsync($"/api/web3/tenants/{tenantId}/invoices", new { orderId = first.OrderId, network = "ethereum" }), HttpStatusCode.Conflict, "orderId");
    }

    [Fact]
    public async Task Another_tenants_invoices_and_orders_are_out_of_reach()
    {
        var (tenantId, client) = await platform.Tenant();
        var orderId = await platform.OrderAwaitingPayment(tenantId, 4.50m);
        var invoice = await platform.Issue(client, tenantId, orderId);
        var (intruderId, intruder) = await platform.Tenant();

        // Through the intruder's own tenant: the invoice and the order do not exist for it.
        await AssertProblem(await intruder.GetAsync($"/api/web3/tenants/{intruderId}/invoices/{invoice.Id}"), HttpStatusCode.NotFound, "invoiceId");
        await AssertProblem(await intruder.PostAsJsonAsync($"/api/web3/tenants/{intruderId}/invoices", new { orderId, network = "ethereum" }), HttpStatusCode.NotFound, "orderId");
        Assert.Empty((await intruder.GetFromJsonAsync<List<InvoiceView>>($"/api/web3/tenants/{intruderId}/invoices?orderId={orderId}", Web3Platform.Json))!);

        // Through the victim's routes: refused outright.
        Assert.Equal(HttpStatusCode.Forbidden, (await intruder.GetAsync($"/api/web3/tenants/{tenantId}/invoices/{invoice.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await intruder.GetAsync($"/api/web3/tenants/{tenantId}/invoices")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await intruder.PutAsJsonAsync($"/api/web3/tenants/{tenantId}/wallets/ethereum", new { extendedPublicKey = Web3Platform.AccountXpub(account: 950) })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await platform.Host.AnonymousClient().GetAsync($"/api/web3/tenants/{tenantId}/invoices")).StatusCode);
        Assert.Single((await client.GetFromJsonAsync<List<InvoiceView>>($"/api/web3/tenants/{tenantId}/invoices", Web3Platform.Json))!);
    }

    private static async Task<string> AssertProblem(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(field, body, StringComparison.OrdinalIgnoreCase);
        return body;
    }
}
