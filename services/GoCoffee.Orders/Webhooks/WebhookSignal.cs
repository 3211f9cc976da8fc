using Marten;
using Marten.Services;

namespace GoCoffee.Orders.Webhooks;

/// <summary>Wakes the dispatcher when a delivery was queued, so delivery is not bound to the poll interval.</summary>
public sealed class WebhookSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();
}

/// <summary>
/// Wakes the dispatcher once a transaction that queued a delivery due now has committed (a wake-up before the commit
/// would find nothing and leave the delivery to the next poll).
/// </summary>
internal sealed class WebhookCommitListener(WebhookSignal signal) : DocumentSessionListenerBase
{
    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        if (commit.Inserted.Concat(commit.Updated).OfType<WebhookDelivery>().Any(d => d.Status == DeliveryStatus.Pending && d.Attempts == 0))
        {
            signal.Notify();
        }

        return Task.CompletedTask;
    }
}
