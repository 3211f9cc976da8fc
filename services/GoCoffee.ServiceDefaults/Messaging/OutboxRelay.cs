using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Marten;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GoCoffee.ServiceDefaults.Messaging;

public sealed class OutboxRelayOptions
{
    /// <summary>False stops delivery (a service that only writes, or a test that simulates a crash before the publish).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often to look for due messages when nothing signals a commit (durable timeouts fall due this way).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    public int BatchSize { get; set; } = 200;

    /// <summary>How long handled message ids are remembered by the inbox.</summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Fault injection for crash tests, honoured only when the environment is <c>Testing</c>: after the broker confirmed
    /// a message of this type (full name), the relay logs "Outbox relay paused ..." and waits
    /// <see cref="PauseAfterPublishFor"/> before deleting it, so a test can kill the process at exactly that point.
    /// </summary>
    public string? PauseAfterPublishing { get; set; }

    public TimeSpan PauseAfterPublishFor { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// Publishes committed outbox messages to RabbitMQ a batch at a time, oldest first (confirmations awaited together), and
/// deletes each after the broker confirmed it.
/// One relay per service schema is active at a time (a PostgreSQL advisory lock held on a dedicated connection, released
/// by PostgreSQL if the process dies). A crash after the publish and before the delete publishes the message again
/// with the same message id; consumers' inboxes make that harmless.
/// </summary>
internal sealed class OutboxRelay(
    IDocumentStore store,
    NpgsqlDataSource dataSource,
    IBus bus,
    OutboxSignal signal,
    TimeProvider clock,
    IOptions<OutboxRelayOptions> options,
    IHostEnvironment environment,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    private static readonly Counter<long> Relayed = Telemetry.Meter.CreateCounter<long>("gocoffee.outbox.relayed", description: "Outbox messages published after commit");
    private static readonly ConcurrentDictionary<string, Type?> Types = new();

    private readonly OutboxRelayOptions _options = options.Value;
    private DateTimeOffset _nextInboxCleanup = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            logger.LogWarning("Outbox relay disabled: committed messages stay in the outbox until a relay runs");
            return;
        }

        var backoff = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var leaderConnection = await dataSource.OpenConnectionAsync(stoppingToken);
                if (!await TryBecomeLeader(leaderConnection, stoppingToken))
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
                    continue;
                }

                backoff = TimeSpan.Zero;
                logger.LogInformation("Outbox relay active for schema {Schema}: this instance publishes its outbox", store.Options.DatabaseSchemaName);
                while (!stoppingToken.IsCancellationRequested)
                {
                    var relayed = await RelayBatch(stoppingToken);
                    await CleanInbox(stoppingToken);
                    if (relayed < _options.BatchSize)
                    {
                        await signal.WaitAsync(_options.PollInterval, stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
                logger.LogWarning(ex, "Outbox relay failed; retrying in {Backoff}", backoff);
                await Task.Delay(backoff, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task<bool> TryBecomeLeader(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "select pg_try_advisory_lock(hashtext($1))";
        command.Parameters.AddWithValue($"gocoffee-outbox:{store.Options.DatabaseSchemaName}");
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task<int> RelayBatch(CancellationToken cancellationToken)
    {
        using var poll = BackgroundPolls.Start("outbox-relay");
        await using var session = store.LightweightSession();
        var now = clock.GetUtcNow();
        var due = await session.Query<OutboxMessage>()
            .Where(x => x.NotBefore == null || x.NotBefore <= now)
            .OrderBy(x => x.CreatedAt)
            .Take(_options.BatchSize)
            .ToListAsync(cancellationToken);

        if (due.Count == 0)
        {
            return 0;
        }

        poll.Found();

        // Every message of the batch is published in order, and the broker's confirmations are awaited together: one
        // round trip per batch instead of one per message. Only a confirmed message is deleted.
        var outcomes = await Task.WhenAll(due.Select(message => TryPublish(message, cancellationToken)));
        Exception? failure = null;
        try
        {
            for (var i = 0; i < due.Count; i++)
            {
                switch (outcomes[i])
                {
                    case { Error: { } error }:
                        failure ??= error;
                        break;
                    case { Published: true }:
                        await PauseIfTesting(due[i], cancellationToken);
                        session.Delete<OutboxMessage>(due[i].Id);
                        break;
                    default:
                        session.Store(due[i]);
                        break;
                }
            }
        }
        finally
        {
            // Whatever was confirmed by the broker before a failure is removed, so it is not published twice needlessly.
            await session.SaveChangesAsync(CancellationToken.None);
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        return due.Count;
    }

    private async Task<(bool Published, Exception? Error)> TryPublish(OutboxMessage message, CancellationToken cancellationToken)
    {
        try
        {
            return (await Publish(message, cancellationToken), null);
        }
        catch (Exception ex)
        {
            return (false, ex);
        }
    }

    /// <returns>True when published; false when the message itself is unusable (it is parked with the error, not retried hot).</returns>
    private async Task<bool> Publish(OutboxMessage message, CancellationToken cancellationToken)
    {
        object? body;
        var type = Types.GetOrAdd(message.MessageType, ResolveType);
        try
        {
            body = type is null ? null : JsonSerializer.Deserialize(message.Body, type, MartenOutbox.Json);
        }
        catch (JsonException ex)
        {
            body = null;
            message.LastError = ex.Message;
        }

        if (type is null || body is null)
        {
            message.Attempts++;
            message.LastError ??= $"Unknown message type {message.MessageType}";
            message.NotBefore = clock.GetUtcNow().AddMinutes(Math.Min(60, message.Attempts * 5));
            logger.LogError("Outbox message {MessageId} of {MessageType} cannot be published: {Error}", message.Id, message.MessageType, message.LastError);
            return false;
        }

        ActivityContext.TryParse(message.TraceParent, message.TraceState, out var parent);
        using var activity = Telemetry.Source.StartActivity($"outbox relay {type.Name}", ActivityKind.Internal, parent);
        if (message.TenantId is not null)
        {
            activity?.SetBaggage(Logging.TenantBaggageKey, message.TenantId);
        }

        var pipe = MassTransit.Pipe.Execute<SendContext>(context =>
        {
            context.MessageId = message.Id;
            context.CorrelationId = message.CorrelationId;
            if (message.TenantId is not null)
            {
                context.Headers.Set(MessageHeaders.TenantId, message.TenantId);
            }
        });

        if (message.Destination is null)
        {
            await bus.Publish(body, type, pipe, cancellationToken);
        }
        else
        {
            var endpoint = await bus.GetSendEndpoint(new Uri(message.Destination));
            await endpoint.Send(body, type, pipe, cancellationToken);
        }

        Relayed.Add(1, new KeyValuePair<string, object?>("message_type", type.Name));
        return true;
    }

    /// <summary>The crash tests' fault injection (<see cref="OutboxRelayOptions.PauseAfterPublishing"/>); nothing outside Testing.</summary>
    private async Task PauseIfTesting(OutboxMessage message, CancellationToken cancellationToken)
    {
        if (_options.PauseAfterPublishing is not { Length: > 0 } type || type != message.MessageType || !environment.IsEnvironment("Testing"))
        {
            return;
        }

        logger.LogWarning("Outbox relay paused after publishing {MessageType} {MessageId}, before deleting it (fault injection)", message.MessageType, message.Id);
        await Task.Delay(_options.PauseAfterPublishFor, cancellationToken);
    }

    private async Task CleanInbox(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (now < _nextInboxCleanup)
        {
            return;
        }

        _nextInboxCleanup = now.AddMinutes(10);
        var cutoff = now - _options.InboxRetention;
        await using var session = store.LightweightSession();
        session.DeleteWhere<InboxEntry>(x => x.ProcessedAt < cutoff);
        await session.SaveChangesAsync(cancellationToken);
    }

    private static Type? ResolveType(string fullName) =>
        AppDomain.CurrentDomain.GetAssemblies()
            .Where(assembly => !assembly.IsDynamic)
            .Select(assembly => assembly.GetType(fullName, throwOnError: false))
            .FirstOrDefault(type => type is not null);
}
