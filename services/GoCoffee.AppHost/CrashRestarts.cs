using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GoCoffee.AppHost;

/// <summary>
/// Starts a process of the platform again when it dies on its own (a non-zero exit) after it was running, as the kubelet
/// restarts a crashed container: at most <c>GoCoffee:CrashRestarts</c> times per process (5; 0 turns this off, as the
/// crash tests do to restart their victims themselves). A process stopped from the dashboard exits cleanly and stays
/// stopped; nothing is restarted while the app host itself is stopping.
/// </summary>
internal sealed partial class CrashRestarts(
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    IConfiguration configuration,
    IHostApplicationLifetime lifetime,
    ILogger<CrashRestarts> logger) : BackgroundService
{
    public const string LimitKey = "GoCoffee:CrashRestarts";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var limit = configuration.GetValue(LimitKey, 5);
        if (limit <= 0)
        {
            return;
        }

        var running = new HashSet<string>();
        var restarts = new Dictionary<string, int>();
        await foreach (var change in notifications.WatchAsync(stoppingToken))
        {
            if (change.Resource is not ProjectResource)
            {
                continue;
            }

            var state = change.Snapshot.State?.Text;
            if (state == KnownResourceStates.Running)
            {
                running.Add(change.ResourceId);
                continue;
            }

            var crashed = (state == KnownResourceStates.Exited || state == KnownResourceStates.Finished)
                && change.Snapshot.ExitCode is not (null or 0)
                && running.Remove(change.ResourceId);
            if (!crashed || lifetime.ApplicationStopping.IsCancellationRequested)
            {
                continue;
            }

            var count = restarts[change.ResourceId] = restarts.GetValueOrDefault(change.ResourceId) + 1;
            if (count > limit)
            {
                GaveUp(change.Resource.Name, change.Snapshot.ExitCode, limit);
                continue;
            }

            Restarting(change.Resource.Name, change.Snapshot.ExitCode, count, limit);
            var result = await commands.ExecuteCommandAsync(change.ResourceId, KnownResourceCommands.StartCommand, stoppingToken);
            if (!result.Success)
            {
                RestartFailed(change.Resource.Name, result.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Process} exited with code {ExitCode}: starting it again ({Count} of {Limit})")]
    private partial void Restarting(string process, int? exitCode, int count, int limit);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Process} exited with code {ExitCode} after {Limit} restarts: left stopped (see its log in the dashboard)")]
    private partial void GaveUp(string process, int? exitCode, int limit);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Process} could not be started again: {Error}")]
    private partial void RestartFailed(string process, string? error);
}
