using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.Targets;
using k8s;
using k8s.Autorest;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GoCoffee.ClusterAgent.CustomResources;

/// <summary>
/// Lists one kind of custom resource, then watches it from the list's resourceVersion, and hands every new generation
/// of an object to the kind's <typeparamref name="TReconciler"/>. Each event commits in one transaction with the
/// cursor (and whatever the reconciler staged in the outbox), so after a crash the watch resumes exactly after the
/// last handled event: nothing is lost, nothing is handed on twice. A watch the server closes is opened again from the
/// cursor; one that outlives <see cref="CustomResourceOptions.WatchRestartInterval"/> is closed and opened again; a
/// cursor the server no longer knows (410 Gone) leads to a relist, where objects already handed on at their current
/// generation are skipped and those that vanished meanwhile count as deleted.
/// </summary>
internal sealed class CustomResourceWatch<TReconciler>(
    IKubernetes client,
    IServiceScopeFactory scopes,
    IDocumentStore store,
    NpgsqlDataSource dataSource,
    TimeProvider clock,
    IOptions<ClusterAgentOptions> options,
    ILogger<CustomResourceWatch<TReconciler>> logger) : BackgroundService
    where TReconciler : class, ICustomResourceReconciler
{
    private static readonly WatchedResource Resource = TReconciler.Resource;

    private readonly CustomResourceOptions _options = options.Value.CustomResources;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.Zero;
        var reportedNotServed = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var leadership = await WatchLeadership.AcquireAsync(
                    dataSource,
                    $"gocoffee-watch:{store.Options.DatabaseSchemaName}:{Resource.Key}",
                    () => logger.LogInformation("Another cluster-agent watches {Resource}; standing by", Resource.Key),
                    stoppingToken);

                var cursor = await LoadCursorAsync(stoppingToken);
                if (cursor is not null)
                {
                    logger.LogInformation("Resuming the watch of {Resource} from resourceVersion {ResourceVersion}", Resource.Key, cursor);
                }

                while (true)
                {
                    cursor ??= await RelistAsync(stoppingToken);
                    cursor = await WatchAsync(cursor, stoppingToken);
                    backoff = TimeSpan.Zero;
                    reportedNotServed = false;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                backoff = Next(backoff);
                if (!reportedNotServed)
                {
                    logger.LogWarning(
                        "The Kubernetes API server does not serve {Resource}: is its CustomResourceDefinition installed? Asking again, at most every {MaxDelay}",
                        Resource.Key, _options.MaxRetryDelay);
                    reportedNotServed = true;
                }
            }
            catch (Exception ex)
            {
                backoff = Next(backoff);
                logger.LogWarning(ex, "Watching {Resource} failed; trying again in {Delay}", Resource.Key, backoff);
            }

            await Task.Delay(backoff, clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <returns>The resourceVersion to watch from: the list's.</returns>
    private async Task<string> RelistAsync(CancellationToken cancellationToken)
    {
        var items = new List<JsonObject>();
        string? page = null;
        string? resourceVersion;
        do
        {
            var response = await client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync(
                Resource.Group, Resource.Version, Resource.Plural, continueParameter: page, limit: _options.ListPageSize, cancellationToken: cancellationToken);
            var list = ToObject(response.Body);
            items.AddRange((list["items"] as JsonArray ?? []).OfType<JsonObject>().Select(item => item.DeepClone().AsObject()));
            page = (string?)list["metadata"]?["continue"];
            resourceVersion = (string?)list["metadata"]?["resourceVersion"];
        }
        while (!string.IsNullOrEmpty(page));

        if (string.IsNullOrEmpty(resourceVersion))
        {
            throw new InvalidOperationException($"The list of {Resource.Key} carries no resourceVersion to watch from.");
        }

        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IDocumentSession>();
        var reconciler = scope.ServiceProvider.GetRequiredService<TReconciler>();
        foreach (var item in items)
        {
            await AppliedAsync(item, session, reconciler, cancellationToken);
        }

        var listed = items.Select(Resource.ObjectKey).ToHashSet(StringComparer.Ordinal);
        var known = await session.Query<ForwardedResource>().Where(f => f.Resource == Resource.Key).ToListAsync(cancellationToken);
        foreach (var vanished in known.Where(f => !listed.Contains(f.Id)))
        {
            await reconciler.DeletedAsync(vanished.Namespace, vanished.Name, lastKnown: null, cancellationToken);
            session.Delete(vanished);
        }

        StoreCursor(session, resourceVersion);
        await session.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Listed {Count} {Resource} at resourceVersion {ResourceVersion}", items.Count, Resource.Key, resourceVersion);
        return resourceVersion;
    }

    /// <returns>The cursor to watch from next, or null when it is too old and a relist is needed.</returns>
    private async Task<string?> WatchAsync(string cursor, CancellationToken stoppingToken)
    {
        var interval = _options.WatchRestartInterval;

        // The server is asked to end the watch after the interval; should the stream die silently instead, this ends it.
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        lifetime.CancelAfter(interval + TimeSpan.FromTicks(Math.Min(interval.Ticks, TimeSpan.FromSeconds(30).Ticks)));

        Exception? failure = null;
        var opened = clock.GetTimestamp();
        var handled = 0;
        try
        {
            var events = client.CustomObjects.WatchListClusterCustomObjectAsync(
                Resource.Group, Resource.Version, Resource.Plural,
                allowWatchBookmarks: true, resourceVersion: cursor, timeoutSeconds: Math.Max(1, (int)interval.TotalSeconds),
                onError: error => failure ??= error, cancellationToken: lifetime.Token);
            await foreach (var (type, item) in events)
            {
                if (failure is not null)
                {
                    break;
                }

                // Handled on the service's token, not the watch's: a transaction is never cut short by the restart timer.
                cursor = await HandleAsync(type, ToObject(item), cursor, stoppingToken);
                handled++;
            }
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested && lifetime.IsCancellationRequested)
        {
            logger.LogDebug("The watch of {Resource} ran its time; opening it again from resourceVersion {ResourceVersion}", Resource.Key, cursor);
            return cursor;
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Gone)
        {
            failure = ex;
        }

        if (failure is KubernetesException { Status.Code: (int)HttpStatusCode.Gone } or HttpOperationException { Response.StatusCode: HttpStatusCode.Gone })
        {
            logger.LogInformation("resourceVersion {ResourceVersion} of {Resource} is no longer known to the API server (410 Gone); listing again", cursor, Resource.Key);
            return null;
        }

        if (failure is not null)
        {
            throw new InvalidOperationException($"The watch of {Resource.Key} failed: {failure.Message}", failure);
        }

        logger.LogDebug("The API server closed the watch of {Resource}; resuming from resourceVersion {ResourceVersion}", Resource.Key, cursor);
        if (handled == 0 && clock.GetElapsedTime(opened) < TimeSpan.FromSeconds(1))
        {
            // A server (or proxy) that ends every watch at once must not be asked again in a tight loop.
            await Task.Delay(_options.RetryDelay, clock, stoppingToken);
        }

        return cursor;
    }

    private async Task<string> HandleAsync(WatchEventType type, JsonObject item, string cursor, CancellationToken cancellationToken)
    {
        var resourceVersion = (string?)item["metadata"]?["resourceVersion"] ?? cursor;
        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IDocumentSession>();
        switch (type)
        {
            case WatchEventType.Added or WatchEventType.Modified:
                await AppliedAsync(item, session, scope.ServiceProvider.GetRequiredService<TReconciler>(), cancellationToken);
                break;
            case WatchEventType.Deleted:
                await DeletedAsync(item, session, scope.ServiceProvider.GetRequiredService<TReconciler>(), cancellationToken);
                break;
            default:
                // BOOKMARK: nothing changed up to its resourceVersion; only the cursor moves.
                break;
        }

        StoreCursor(session, resourceVersion);
        await session.SaveChangesAsync(cancellationToken);
        return resourceVersion;
    }

    private async Task AppliedAsync(JsonObject item, IDocumentSession session, TReconciler reconciler, CancellationToken cancellationToken)
    {
        var key = Resource.ObjectKey(item);
        var generation = item.Generation();
        var forwarded = await session.LoadAsync<ForwardedResource>(key, cancellationToken);
        if (forwarded is not null && forwarded.Uid == item.Uid() && forwarded.Generation == generation)
        {
            return;
        }

        if (item.IsBeingDeleted())
        {
            logger.LogInformation("{Resource} {Name} is being deleted; its last change is not handed on", Resource.Key, key);
        }
        else
        {
            await reconciler.ReconcileAsync(item, cancellationToken);
        }

        session.Store(new ForwardedResource
        {
            Id = key,
            Resource = Resource.Key,
            Namespace = item.Namespace(),
            Name = item.Name(),
            Uid = item.Uid(),
            Generation = generation,
            ForwardedAt = clock.GetUtcNow(),
        });
    }

    private async Task DeletedAsync(JsonObject item, IDocumentSession session, TReconciler reconciler, CancellationToken cancellationToken)
    {
        await reconciler.DeletedAsync(item.Namespace(), item.Name(), item, cancellationToken);
        session.Delete<ForwardedResource>(Resource.ObjectKey(item));
    }

    private async Task<string?> LoadCursorAsync(CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return (await session.LoadAsync<WatchCursor>(Resource.Key, cancellationToken))?.ResourceVersion;
    }

    private void StoreCursor(IDocumentSession session, string resourceVersion) =>
        session.Store(new WatchCursor { Id = Resource.Key, ResourceVersion = resourceVersion, UpdatedAt = clock.GetUtcNow() });

    private TimeSpan Next(TimeSpan backoff) =>
        backoff == TimeSpan.Zero ? _options.RetryDelay : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxRetryDelay.Ticks));

    private static JsonObject ToObject(object? body) => body switch
    {
        JsonElement element => JsonNode.Parse(element.GetRawText())!.AsObject(),
        JsonObject node => node,
        _ => throw new InvalidOperationException($"The API server answered {Resource.Key} with no object."),
    };
}
