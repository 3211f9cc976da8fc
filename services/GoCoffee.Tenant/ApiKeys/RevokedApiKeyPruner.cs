using Marten;
using Microsoft.Extensions.Options;

namespace GoCoffee.Tenant.ApiKeys;

/// <summary>
/// Deletes the records of keys revoked longer ago than <see cref="ApiKeyOptions.RevokedRetention"/>, every
/// <see cref="ApiKeyOptions.PruneInterval"/>. The tenant's event stream keeps that they were added and withdrawn.
/// One statement per run; replicas running it at once delete the same rows, which is harmless.
/// </summary>
internal sealed class RevokedApiKeyPruner(IDocumentStore store, TimeProvider clock, IOptions<ApiKeyOptions> options, ILogger<RevokedApiKeyPruner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PruneInterval, clock);
        try
        {
            do
            {
                try
                {
                    await PruneAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Pruning revoked API keys failed; trying again in {Interval}", options.Value.PruneInterval);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    public async Task PruneAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - options.Value.RevokedRetention;
        await using var session = store.LightweightSession();
        session.DeleteWhere<ApiKey>(key => key.Status == ApiKeyStatus.Revoked && key.RevokedAt < cutoff);
        await session.SaveChangesAsync(cancellationToken);
        logger.LogDebug("Deleted the records of API keys revoked before {Cutoff}", cutoff);
    }
}
