using System.Threading.Channels;
using k8s;
using k8s.Models;

namespace GoCoffee.FakeKubernetes.Tests;

public sealed class WatchTests : FakeClusterTest
{
    [Fact]
    public async Task Watch_sees_added_modified_deleted_and_resumes_from_a_resource_version()
    {
        var start = (await Client.CoreV1.ListNamespaceAsync()).Metadata.ResourceVersion;
        var events = Collect(Client.CoreV1.WatchListNamespaceAsync(resourceVersion: start, cancellationToken: Timeout));

        await CreateNamespaceAsync("watched");
        await Client.CoreV1.PatchNamespaceAsync(new V1Patch("""{"metadata":{"labels":{"a":"b"}}}""", V1Patch.PatchType.MergePatch), "watched");
        await Client.CoreV1.DeleteNamespaceAsync("watched");

        var seen = await Take(events, 3);
        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], seen.Select(e => e.Type));
        Assert.All(seen, e => Assert.Equal("watched", e.Object.Metadata.Name));
        Assert.Equal("b", seen[1].Object.Metadata.Labels["a"]);

        // A new watch from the MODIFIED event's version replays only what came after it.
        var resumed = Collect(Client.CoreV1.WatchListNamespaceAsync(resourceVersion: seen[1].Object.Metadata.ResourceVersion, cancellationToken: Timeout));
        var replay = await Take(resumed, 1);
        Assert.Equal(WatchEventType.Deleted, replay[0].Type);
        Assert.Equal(seen[2].Object.Metadata.ResourceVersion, replay[0].Object.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Watch_without_a_resource_version_starts_with_the_current_objects()
    {
        var events = Collect(Client.CoreV1.WatchListNamespaceAsync(cancellationToken: Timeout));
        var initial = await Take(events, 4);
        Assert.All(initial, e => Assert.Equal(WatchEventType.Added, e.Type));
        Assert.Contains(initial, e => e.Object.Metadata.Name == "default");
    }

    [Fact]
    public async Task Compacted_resource_version_gets_410_Expired()
    {
        var old = (await Client.CoreV1.ListNamespaceAsync()).Metadata.ResourceVersion;
        await CreateNamespaceAsync("later");
        Server.Compact();

        var errors = new List<Exception>();
        var events = new List<(WatchEventType, V1Namespace)>();
        await foreach (var e in Client.CoreV1.WatchListNamespaceAsync(resourceVersion: old, onError: errors.Add, cancellationToken: Timeout))
        {
            events.Add(e);
        }

        Assert.Empty(events);
        var expired = Assert.IsType<KubernetesException>(Assert.Single(errors));
        Assert.Equal(410, expired.Status.Code);
        Assert.Equal("Expired", expired.Status.Reason);
        Assert.StartsWith("too old resource version", expired.Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Label_selector_turns_matching_changes_into_added_and_deleted()
    {
        var start = (await Client.CoreV1.ListNamespacedConfigMapAsync("default")).Metadata.ResourceVersion;
        var events = Collect(Client.CoreV1.WatchListNamespacedConfigMapAsync(
            "default", resourceVersion: start, labelSelector: "app=web", cancellationToken: Timeout));

        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm" } }, "default");
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"labels":{"app":"web"}}}""", V1Patch.PatchType.MergePatch), "cm", "default");
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"v"}}""", V1Patch.PatchType.MergePatch), "cm", "default");
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"labels":{"app":"api"}}}""", V1Patch.PatchType.MergePatch), "cm", "default");

        var seen = await Take(events, 3);
        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], seen.Select(e => e.Type));
    }

    [Fact]
    public async Task Server_closing_watches_ends_the_stream()
    {
        // The callback style: a Watcher with onEvent/onClosed.
        var closed = new TaskCompletionSource();
        using var watcher = Client.CoreV1.WatchListNamespace(resourceVersion: Server.ResourceVersion, onEvent: (_, _) => { }, onClosed: () => closed.TrySetResult());
        await Eventually(() => Server.OpenWatches == 1);

        Server.CloseWatches();

        await closed.Task.WaitAsync(Timeout);
        await Eventually(() => Server.OpenWatches == 0);
    }

    [Fact]
    public async Task Timeout_ends_the_watch_with_a_bookmark_when_allowed()
    {
        var events = new List<(WatchEventType Type, V1Namespace Object)>();
        await foreach (var e in Client.CoreV1.WatchListNamespaceAsync(
                           resourceVersion: Server.ResourceVersion, allowWatchBookmarks: true, timeoutSeconds: 1, cancellationToken: Timeout))
        {
            events.Add(e);
        }
        var bookmark = Assert.Single(events);
        Assert.Equal(WatchEventType.Bookmark, bookmark.Type);
        Assert.Equal(Server.ResourceVersion, bookmark.Object.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task The_older_list_then_watch_extension_works_too()
    {
        var start = Server.ResourceVersion;
        var seen = new TaskCompletionSource<(WatchEventType, V1Namespace)>();
#pragma warning disable CS0618 // KubernetesClient marks the extension obsolete, but operators still use it.
        var response = Client.CoreV1.ListNamespaceWithHttpMessagesAsync(watch: true, resourceVersion: start, cancellationToken: Timeout);
        using var watcher = response.Watch<V1Namespace, V1NamespaceList>((type, ns) => seen.TrySetResult((type, ns)));
#pragma warning restore CS0618
        await Eventually(() => Server.OpenWatches == 1);

        await CreateNamespaceAsync("legacy");

        var (type, ns) = await seen.Task.WaitAsync(Timeout);
        Assert.Equal((WatchEventType.Added, "legacy"), (type, ns.Metadata.Name));
    }

    private static ChannelReader<(WatchEventType Type, T Object)> Collect<T>(IAsyncEnumerable<(WatchEventType, T)> watch)
    {
        var channel = Channel.CreateUnbounded<(WatchEventType, T)>();
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in watch) await channel.Writer.WriteAsync(e);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                channel.Writer.TryComplete();
            }
        });
        return channel.Reader;
    }

    private static async Task<List<(WatchEventType Type, T Object)>> Take<T>(ChannelReader<(WatchEventType Type, T Object)> events, int count)
    {
        var taken = new List<(WatchEventType, T)>();
        while (taken.Count < count) taken.Add(await events.ReadAsync(Timeout));
        return taken;
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(20);
        }
    }
}
