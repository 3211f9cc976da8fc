using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace GoCoffee.FakeKubernetes;

/// <summary>
/// A watch response: HTTP 200, chunked, one JSON event per line (<c>{"type":"ADDED","object":{...}}</c>), replayed
/// from history after the requested resourceVersion, then live. Ends on <c>timeoutSeconds</c>, when the client goes,
/// or when the server closes watches. A compacted resourceVersion gets an ERROR event holding a 410 Expired Status.
/// </summary>
internal sealed class WatchStream(ObjectStore store, FakeKubernetesOptions options)
{
    private static readonly byte[] Newline = "\n"u8.ToArray();

    public async Task RunAsync(HttpContext context, Route.Resource route, WatchRequest request)
    {
        var response = context.Response;
        var resource = route.Definition;
        var watch = store.Subscribe(resource.Key, route.Namespace, request.ResourceVersion, out var initial, out var current, out var compacted);

        response.StatusCode = 200;
        response.ContentType = "application/json";
        await response.StartAsync(context.RequestAborted);
        if (watch is null)
        {
            var gone = FakeFailure.Expired($"too old resource version: {request.ResourceVersion} ({compacted})");
            await WriteEventAsync(response, "ERROR", JsonWire.Bytes(gone.ToStatus()), context.RequestAborted);
            return;
        }

        using (watch)
        using (var timeout = new CancellationTokenSource())
        {
            if (request.Timeout is { } limit) timeout.CancelAfter(limit);
            try
            {
                await PumpAsync(context, resource, request, watch, initial, current, timeout.Token);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away.
            }
        }
    }

    private async Task PumpAsync(
        HttpContext context, ResourceDefinition resource, WatchRequest request, WatchSubscription watch, int initial, long startVersion, CancellationToken timeout)
    {
        var response = context.Response;
        var aborted = context.RequestAborted;
        var lastSent = request.ResourceVersion ?? startVersion;
        var initialLeft = initial;
        if (request.SendInitialEvents && initialLeft == 0) await BookmarkAsync(initialEnd: true);

        while (true)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(aborted, timeout);
            if (request.AllowBookmarks && options.WatchBookmarkInterval is { } interval) wait.CancelAfter(interval);
            try
            {
                if (!await watch.Reader.WaitToReadAsync(wait.Token)) return;
            }
            catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
            {
                if (request.AllowBookmarks) await BookmarkAsync(initialEnd: false);
                if (timeout.IsCancellationRequested) return;
                continue;
            }
            await DrainAsync();
        }

        async Task DrainAsync()
        {
            while (watch.Reader.TryRead(out var change))
            {
                if (Visible(change, request.List) is { } type)
                {
                    await WriteEventAsync(response, type, Render(resource, change.Object, request), aborted, flush: false);
                }
                lastSent = Math.Max(lastSent, change.ResourceVersion);
                if (initialLeft > 0 && --initialLeft == 0 && request.SendInitialEvents) await BookmarkAsync(initialEnd: true);
            }
            await response.Body.FlushAsync(aborted);
        }

        async Task BookmarkAsync(bool initialEnd)
        {
            var version = store.ResourceVersion;
            await DrainAsync();
            lastSent = Math.Max(lastSent, version);
            var metadata = new JsonObject { ["resourceVersion"] = lastSent.ToString(CultureInfo.InvariantCulture) };
            if (initialEnd) metadata["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
            var bookmark = new JsonObject { ["kind"] = resource.Kind, ["apiVersion"] = resource.ApiVersion, ["metadata"] = metadata };
            await WriteEventAsync(response, "BOOKMARK", JsonWire.Bytes(bookmark), aborted);
        }
    }

    /// <summary>The event's object: as stored, or as a one-row Table when kubectl asked for server-side printing.</summary>
    private byte[] Render(ResourceDefinition resource, StoredObject obj, WatchRequest request) =>
        request.Table is { } includeObject
            ? JsonWire.Bytes(TableView.FromObject(resource, JsonNode.Parse(obj.Json)!.AsObject(), includeObject, options.TimeProvider.GetUtcNow()))
            : obj.Json;

    /// <summary>
    /// What the watcher sees of a change under its selectors: an object that starts matching is ADDED, one that stops
    /// matching is DELETED, as the real watch cache reports.
    /// </summary>
    private static string? Visible(ChangeEvent change, ListOptions list)
    {
        var now = list.MatchesDetached(change.Object);
        return change.Type switch
        {
            ChangeType.Added => now ? "ADDED" : null,
            ChangeType.Deleted => now ? "DELETED" : null,
            _ => (now, change.Previous is { } previous && list.MatchesDetached(previous)) switch
            {
                (true, true) => "MODIFIED",
                (true, false) => "ADDED",
                (false, true) => "DELETED",
                _ => null,
            },
        };
    }

    private static async Task WriteEventAsync(HttpResponse response, string type, byte[] obj, CancellationToken cancellation, bool flush = true)
    {
        var head = Encoding.UTF8.GetBytes($"{{\"type\":\"{type}\",\"object\":");
        await response.Body.WriteAsync(head, cancellation);
        await response.Body.WriteAsync(obj, cancellation);
        await response.Body.WriteAsync("}"u8.ToArray(), cancellation);
        await response.Body.WriteAsync(Newline, cancellation);
        if (flush) await response.Body.FlushAsync(cancellation);
    }
}

/// <summary>The query of a watch request.</summary>
/// <param name="Table">Set (to the includeObject choice, "" by default) when events should carry Tables.</param>
internal sealed record WatchRequest(ListOptions List, long? ResourceVersion, TimeSpan? Timeout, bool AllowBookmarks, bool SendInitialEvents, string? Table);
