using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace GoCoffee.FakeKubernetes;

/// <summary>
/// All objects, the global resourceVersion counter, the change history watches replay from, and the open watches.
/// Every read and write runs inside <see cref="Transact{T}"/> under one lock: simple, consistent, and fast enough
/// (thousands of writes per second) for tests.
/// </summary>
internal sealed class ObjectStore(int historyLimit)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ResourceKey, SortedDictionary<ObjectName, StoredObject>> _objects = [];
    private readonly List<ChangeEvent> _history = [];
    private readonly List<WatchSubscription> _watches = [];
    private long _resourceVersion;
    private long _compactedThrough;

    public long ResourceVersion
    {
        get { lock (_gate) return _resourceVersion; }
    }

    public int OpenWatches
    {
        get { lock (_gate) return _watches.Count; }
    }

    public T Transact<T>(Func<StoreTransaction, T> work)
    {
        lock (_gate) return work(new StoreTransaction(this));
    }

    public void Transact(Action<StoreTransaction> work)
    {
        lock (_gate) work(new StoreTransaction(this));
    }

    /// <summary>Forgets history up to the current resourceVersion: watching from anything older gets 410 Expired.</summary>
    public long Compact()
    {
        lock (_gate)
        {
            _history.Clear();
            _compactedThrough = _resourceVersion;
            return _compactedThrough;
        }
    }

    /// <summary>Ends every open watch stream, as an API server does when it restarts or times watches out.</summary>
    public void CloseWatches()
    {
        lock (_gate)
        {
            foreach (var watch in _watches) watch.Writer.TryComplete();
            _watches.Clear();
        }
    }

    /// <summary>
    /// Opens a watch from <paramref name="fromResourceVersion"/> (replaying later history), or, when it is null,
    /// from now with synthetic ADDED events (<paramref name="initial"/> of them) for the objects that exist. Returns null when the version is compacted.
    /// </summary>
    public WatchSubscription? Subscribe(ResourceKey key, string? ns, long? fromResourceVersion, out int initial, out long current, out long compacted)
    {
        lock (_gate)
        {
            initial = 0;
            current = _resourceVersion;
            compacted = _compactedThrough;
            if (fromResourceVersion is { } from && from < _compactedThrough) return null;

            var watch = new WatchSubscription(this, key, ns);
            if (fromResourceVersion is { } since)
            {
                var first = FirstAfter(since);
                for (var i = first; i < _history.Count; i++)
                {
                    if (watch.Wants(_history[i])) watch.Writer.TryWrite(_history[i]);
                }
            }
            else
            {
                foreach (var obj in Bucket(key).Values)
                {
                    if (ns is not null && obj.Name.Namespace != ns) continue;
                    watch.Writer.TryWrite(new ChangeEvent(obj.ResourceVersion, ChangeType.Added, obj, null));
                    initial++;
                }
            }
            _watches.Add(watch);
            return watch;
        }
    }

    internal void Unsubscribe(WatchSubscription watch)
    {
        lock (_gate) _watches.Remove(watch);
    }

    private int FirstAfter(long resourceVersion)
    {
        int low = 0, high = _history.Count;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (_history[mid].ResourceVersion <= resourceVersion) low = mid + 1;
            else high = mid;
        }
        return low;
    }

    private SortedDictionary<ObjectName, StoredObject> Bucket(ResourceKey key)
    {
        if (!_objects.TryGetValue(key, out var bucket))
        {
            bucket = [];
            _objects[key] = bucket;
        }
        return bucket;
    }

    private void Record(ChangeEvent change)
    {
        _history.Add(change);
        if (_history.Count > historyLimit)
        {
            var drop = _history.Count - historyLimit / 2;
            _compactedThrough = _history[drop - 1].ResourceVersion;
            _history.RemoveRange(0, drop);
        }
        foreach (var watch in _watches)
        {
            if (watch.Wants(change)) watch.Writer.TryWrite(change);
        }
    }

    /// <summary>The operations available under the lock.</summary>
    internal sealed class StoreTransaction(ObjectStore store)
    {
        public long ResourceVersion => store._resourceVersion;
        public long CompactedThrough => store._compactedThrough;

        public StoredObject? Get(ResourceKey key, ObjectName name) =>
            store._objects.TryGetValue(key, out var bucket) && bucket.TryGetValue(name, out var obj) ? obj : null;

        /// <summary>Objects of a resource in name order, in one namespace or (null) all of them.</summary>
        public IEnumerable<StoredObject> List(ResourceKey key, string? ns)
        {
            if (!store._objects.TryGetValue(key, out var bucket)) return [];
            return ns is null ? bucket.Values : bucket.Values.Where(o => o.Name.Namespace == ns);
        }

        /// <summary>Every namespaced object in the namespace, over all resources.</summary>
        public IEnumerable<StoredObject> InNamespace(string ns) =>
            store._objects.Values.SelectMany(b => b.Values).Where(o => o.Name.Namespace == ns && o.Resource.Namespaced).ToList();

        /// <summary>Stores <paramref name="node"/> (owned by the store from now on) with the next resourceVersion.</summary>
        public StoredObject Put(ResourceDefinition resource, JsonObject node)
        {
            var name = new ObjectName(resource.Namespaced ? node.Namespace() : "", node.Name());
            var previous = Get(resource.Key, name);
            var stored = Seal(resource, name, node);
            store.Bucket(resource.Key)[name] = stored;
            store.Record(new ChangeEvent(stored.ResourceVersion, previous is null ? ChangeType.Added : ChangeType.Modified, stored, previous));
            return stored;
        }

        /// <summary>Removes the object; its final state (with a new resourceVersion) is what the DELETED event carries.</summary>
        public StoredObject Remove(StoredObject current)
        {
            var final = Seal(current.Resource, current.Name, (JsonObject)current.Node.DeepClone());
            store.Bucket(current.Resource.Key).Remove(current.Name);
            store.Record(new ChangeEvent(final.ResourceVersion, ChangeType.Deleted, final, current));
            return final;
        }

        private StoredObject Seal(ResourceDefinition resource, ObjectName name, JsonObject node)
        {
            var resourceVersion = ++store._resourceVersion;
            node.Metadata()["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture);
            var json = JsonWire.Bytes(node);
            return new StoredObject(resource, name, resourceVersion, node, json, node.Labels());
        }
    }
}

/// <summary>One open watch: a channel the store writes matching changes into, read by the HTTP stream.</summary>
internal sealed class WatchSubscription(ObjectStore store, ResourceKey key, string? ns) : IDisposable
{
    private readonly Channel<ChangeEvent> _channel = Channel.CreateUnbounded<ChangeEvent>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelWriter<ChangeEvent> Writer => _channel.Writer;
    public ChannelReader<ChangeEvent> Reader => _channel.Reader;

    public bool Wants(ChangeEvent change) => change.Key == key && (ns is null || change.Object.Name.Namespace == ns);

    public void Dispose()
    {
        _channel.Writer.TryComplete();
        store.Unsubscribe(this);
    }
}
