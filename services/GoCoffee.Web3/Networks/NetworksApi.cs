using GoCoffee.ServiceDefaults.Security;
using GoCoffee.Web3.Watching;
using Marten;
using Microsoft.Extensions.Options;

namespace GoCoffee.Web3.Networks;

public sealed record NetworkView(string Name, long ChainId, int Confirmations, IReadOnlyList<string> Assets, long? LastBlock, DateTimeOffset? LastBlockTime, long Reorganisations);

public static class NetworksApi
{
    public static RouteGroupBuilder MapNetworksApi(this RouteGroupBuilder api)
    {
        api.MapGet("/networks", List).WithName("listNetworks").WithSummary("The watched networks and how far the watcher has read each").RequirePlatformAdmin()
            .Produces<List<NetworkView>>();
        return api;
    }

    internal static async Task<IResult> List(IQuerySession session, IOptions<Web3Options> options, CancellationToken cancellationToken)
    {
        var views = new List<NetworkView>();
        foreach (var (name, network) in options.Value.Networks.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            var cursor = await session.LoadAsync<ChainCursor>(name, cancellationToken);
            views.Add(new NetworkView(name, network.ChainId, network.Confirmations, [.. network.AssetSymbols], cursor?.LastBlock, cursor?.LastBlockTime, cursor?.Reorganisations ?? 0));
        }

        return TypedResults.Ok(views);
    }
}
