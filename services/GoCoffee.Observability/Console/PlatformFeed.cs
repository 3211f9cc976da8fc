using System.Threading.Channels;

namespace GoCoffee.Observability.Console;

/// <summary>One platform event as the console's live feed shows it.</summary>
public sealed record FeedEntry(Guid Id, string Type, string? TenantId, string Summary, DateTimeOffset At);

/// <summary>
/// The live feed of this instance: every platform event its own (per-instance) queue receives, kept for the last
/// <see cref="Capacity"/> and pushed to every open stream. In memory on purpose: what is past is in the services' own
/// records (tenant audit trails, orders, alerts); the feed is what happens now.
/// </summary>
public sealed class PlatformFeed
{
    public const int Capacity = 200;

    private readonly Lock _lock = new();
    private readonly LinkedList<FeedEntry> _recent = new();
    private readonly HashSet<Guid> _seen = [];
    private readonly List<Channel<FeedEntry>> _subscribers = [];

    public void Publish(FeedEntry entry)
    {
        lock (_lock)
        {
            // A redelivered message is shown once.
            if (!_seen.Add(entry.Id))
            {
                return;
            }

            _recent.AddLast(entry);
            if (_recent.Count > Capacity)
            {
                _seen.Remove(_recent.First!.Value.Id);
                _recent.RemoveFirst();
            }

            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(entry);
            }
        }
    }

    /// <summary>The recent entries and, from then on, every new one, until the subscription is disposed.</summary>
    public Subscription Subscribe()
    {
        // A slow reader loses its oldest entries rather than hold memory without bound.
        var channel = Channel.CreateBounded<FeedEntry>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_lock)
        {
            _subscribers.Add(channel);
            return new Subscription(this, channel, [.. _recent]);
        }
    }

    private void Unsubscribe(Channel<FeedEntry> channel)
    {
        lock (_lock)
        {
            _subscribers.Remove(channel);
        }

        channel.Writer.TryComplete();
    }

    public sealed class Subscription(PlatformFeed feed, Channel<FeedEntry> channel, IReadOnlyList<FeedEntry> recent) : IDisposable
    {
        public IReadOnlyList<FeedEntry> Recent { get; } = recent;

        public ChannelReader<FeedEntry> Live => channel.Reader;

        public void Dispose() => feed.Unsubscribe(channel);
    }
}
