using System.Net.Http.Json;
using System.Text.Json;
using GoCoffee.Contracts.Observability;
using Marten;
using Microsoft.Extensions.Options;

namespace GoCoffee.Observability.Stacks;

/// <summary>
/// Reads each ready stack's <c>metrics{targetsDiscovered, targetsUp, rulesLoaded, alertsActive}</c> from its
/// Prometheus' HTTP API (<c>/api/v1/targets</c>, <c>/api/v1/rules</c>, <c>/api/v1/alerts</c>) at
/// <see cref="StacksOptions.PrometheusUrl"/>, and writes them to the stack's status when they change. A Prometheus that
/// does not answer is a <c>MetricsAvailable=False</c> condition naming the URL and the error.
/// </summary>
public sealed class StackMetricsReader(IServiceScopeFactory scopes, IHttpClientFactory clients, IOptions<StacksOptions> options, TimeProvider clock, ILogger<StackMetricsReader> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(options.Value.PrometheusUrl))
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.MetricsInterval, clock);
        do
        {
            try
            {
                await ReadAll(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Reading the stacks' metrics failed; trying again");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task ReadAll(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IDocumentStore>();
        IReadOnlyList<string> ready;
        await using (var query = store.QuerySession())
        {
            ready = await query.Query<ObservabilityStack>().Where(s => s.Status.Phase == StackPhase.Ready).Select(s => s.Id).ToListAsync(cancellationToken);
        }

        foreach (var id in ready)
        {
            await using var stackScope = scopes.CreateAsyncScope();
            var session = stackScope.ServiceProvider.GetRequiredService<IDocumentSession>();
            var stack = await session.LoadAsync<ObservabilityStack>(id, cancellationToken);
            if (stack is not { Status.Phase: StackPhase.Ready })
            {
                continue;
            }

            var url = new Uri(options.Value.PrometheusUrl.Replace("{namespace}", stack.Namespace, StringComparison.Ordinal).Replace("{name}", stack.Name, StringComparison.Ordinal));
            var now = clock.GetUtcNow();
            var before = JsonSerializer.Serialize(new { stack.Status.Metrics?.TargetsDiscovered, stack.Status.Metrics?.TargetsUp, stack.Status.Metrics?.RulesLoaded, stack.Status.Metrics?.AlertsActive, Conditions = stack.Status.Conditions.Where(c => c.Type == "MetricsAvailable").Select(c => c.Status + c.Message) });
            try
            {
                var metrics = await Read(url, now, cancellationToken);
                stack.Status.Metrics = metrics;
                stack.SetCondition("MetricsAvailable", "True", "Read", $"Read from {url}.", now);
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                stack.SetCondition("MetricsAvailable", "False", "PrometheusUnavailable", $"{url}: {ex.Message}", now);
            }

            var after = JsonSerializer.Serialize(new { stack.Status.Metrics?.TargetsDiscovered, stack.Status.Metrics?.TargetsUp, stack.Status.Metrics?.RulesLoaded, stack.Status.Metrics?.AlertsActive, Conditions = stack.Status.Conditions.Where(c => c.Type == "MetricsAvailable").Select(c => c.Status + c.Message) });
            if (before != after)
            {
                session.Store(stack);
                stackScope.ServiceProvider.GetRequiredService<GoCoffee.ServiceDefaults.Messaging.IOutbox>().Report(stack, now);
                try
                {
                    await session.SaveChangesAsync(cancellationToken);
                }
                catch (Exception ex) when (ex is JasperFx.ConcurrencyException or Marten.Exceptions.ConcurrentUpdateException)
                {
                    // The saga changed the stack meanwhile: the next round reads it again.
                }
            }
        }
    }

    private async Task<StackMetrics> Read(Uri prometheus, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var client = clients.CreateClient(nameof(StackMetricsReader));
        var targets = await Data(client, new Uri(prometheus, "api/v1/targets?state=active"), cancellationToken);
        var active = targets.GetProperty("activeTargets").EnumerateArray().ToList();
        var rules = await Data(client, new Uri(prometheus, "api/v1/rules"), cancellationToken);
        var loaded = rules.GetProperty("groups").EnumerateArray().Sum(g => g.GetProperty("rules").GetArrayLength());
        var alerts = await Data(client, new Uri(prometheus, "api/v1/alerts"), cancellationToken);
        var firing = alerts.GetProperty("alerts").EnumerateArray().Count(a => a.GetProperty("state").GetString() == "firing");
        return new StackMetrics(active.Count, active.Count(t => t.GetProperty("health").GetString() == "up"), loaded, firing, now);
    }

    private static async Task<JsonElement> Data(HttpClient client, Uri url, CancellationToken cancellationToken)
    {
        var body = await client.GetFromJsonAsync<JsonElement>(url, cancellationToken);
        return body.GetProperty("status").GetString() == "success" ? body.GetProperty("data") : throw new JsonException($"{url} answered {body}");
    }
}
