using GoCoffee.ServiceDefaults.Security;
using GoCoffee.Web3.Api;
using GoCoffee.Web3.Networks;
using Marten;
using Microsoft.Extensions.Options;

namespace GoCoffee.Web3.Wallets;

public sealed record RegisterWalletRequest(string? ExtendedPublicKey);

public sealed record WalletView(string Network, string ExtendedPublicKey, string DerivationPath, int NextIndex, string FirstAddress, DateTimeOffset RegisteredAt);

public static class WalletsApi
{
    public static RouteGroupBuilder MapWalletsApi(this RouteGroupBuilder api)
    {
        api.MapPut("/tenants/{tenantId}/wallets/{network}", Register).WithName("registerWallet")
            .WithSummary("Register the tenant's account-level extended public key for a network (never a private key)").RequireTenantAccess()
            .Accepts<RegisterWalletRequest>("application/json").Produces<WalletView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapGet("/tenants/{tenantId}/wallets", List).WithName("listWallets").WithSummary("The tenant's registered wallets").RequireTenantAccess()
            .Produces<List<WalletView>>();
        return api;
    }

    internal static async Task<IResult> Register(
        string tenantId, string network, HttpRequest http, IDocumentSession session, IOptions<Web3Options> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (request, unreadable) = await RequestBody.Read<RegisterWalletRequest>(http, cancellationToken);
        if (unreadable is not null)
        {
            return unreadable;
        }

        if (!options.Value.Networks.ContainsKey(network))
        {
            return ApiProblems.Invalid("network", $"'{ApiProblems.Clip(network)}' is not a network this service watches; one of: {string.Join(", ", options.Value.Networks.Keys)}.");
        }

        var key = ExtendedPublicKeys.Parse(request?.ExtendedPublicKey, out var error);
        if (key is null)
        {
            return ApiProblems.Invalid("extendedPublicKey", error!);
        }

        var text = request!.ExtendedPublicKey!;
        if (await session.Query<TenantWallet>().AnyAsync(w => w.ExtendedPublicKey == text && w.TenantId != tenantId, cancellationToken))
        {
            // Two tenants deriving from one key would be handed the same deposit addresses.
            return ApiProblems.Conflict("extendedPublicKey", "is registered by another tenant; every tenant needs an account key of its own.");
        }

        var id = TenantWallet.IdFor(tenantId, network);
        var wallet = await session.LoadAsync<TenantWallet>(id, cancellationToken);
        if (wallet is null || !string.Equals(wallet.ExtendedPublicKey, text, StringComparison.Ordinal))
        {
            // A new key starts at index 0; a key held before goes on from its own counter, so no address is reused.
            wallet ??= new TenantWallet { Id = id, TenantId = tenantId, Network = network };
            wallet.NextIndexByKey[wallet.ExtendedPublicKey] = wallet.NextIndex;
            wallet.NextIndexByKey.Remove(string.Empty);
            wallet.ExtendedPublicKey = text;
            wallet.NextIndex = wallet.NextIndexByKey.GetValueOrDefault(text);
            wallet.RegisteredAt = clock.GetUtcNow();
            session.Store(wallet);
            await session.SaveChangesAsync(cancellationToken);
        }

        return TypedResults.Ok(View(wallet));
    }

    internal static async Task<IResult> List(string tenantId, IQuerySession session, CancellationToken cancellationToken)
    {
        var wallets = await session.Query<TenantWallet>().Where(w => w.TenantId == tenantId).ToListAsync(cancellationToken);
        return TypedResults.Ok(wallets.OrderBy(w => w.Network, StringComparer.Ordinal).Select(View).ToList());
    }

    private static WalletView View(TenantWallet wallet)
    {
        var key = ExtendedPublicKeys.Parse(wallet.ExtendedPublicKey, out _)!;
        return new WalletView(wallet.Network, wallet.ExtendedPublicKey, "m/44'/60'/0'/0/{index}", wallet.NextIndex, ExtendedPublicKeys.DepositAddress(key, 0), wallet.RegisteredAt);
    }
}
