using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;

// Carries orders through the gateway, as a tenant's app and its barista app would:
//   POST /orders (Idempotency-Key) → POST /payments (an approving sandbox card token) → the order.paid webhook
//   → POST /brewing → order.brewing webhook → POST /ready → order.ready webhook → POST /picked-up → order.completed webhook.
// Every webhook's HMAC signature is checked. "rate" mode starts orders at a fixed rate (open loop: a slow platform does
// not slow the offered load); "max" mode keeps a fixed number of orders in flight (closed loop). At the end the
// database is read: every accepted order must be Completed, with one payment, six history entries and one webhook
// delivery per event. Output: one JSON object on stdout (the script turns it into the report).
var options = Args.Parse(args);
using var run = new BenchRun(options);
await run.Execute();

internal sealed record Args(
    string Gateway, string Tenant, string ApiKey, int WebhookPort, string Postgres, string Mode, double Rate, int Concurrency,
    TimeSpan Duration, TimeSpan Warmup, TimeSpan StepTimeout, TimeSpan Drain, string Token, string Label)
{
    public static Args Parse(string[] args)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            map[args[i].TrimStart('-')] = args[i + 1];
        }

        string Get(string name, string? fallback = null) => map.TryGetValue(name, out var v) ? v : fallback ?? throw new ArgumentException($"--{name} is required");
        double Number(string name, string fallback) => double.Parse(Get(name, fallback), CultureInfo.InvariantCulture);
        return new Args(
            Get("gateway"), Get("tenant"), Get("api-key"), (int)Number("webhook-port", "58290"), Get("postgres"), Get("mode", "rate"),
            Number("rate", "100"), (int)Number("concurrency", "64"), TimeSpan.FromSeconds(Number("duration", "30")),
            TimeSpan.FromSeconds(Number("warmup", "5")), TimeSpan.FromSeconds(Number("step-timeout", "900")),
            TimeSpan.FromSeconds(Number("drain", "30")), Get("token", "tok_approve"), Get("label", "run"));
    }
}

internal sealed class OrderFlow
{
    public readonly ConcurrentDictionary<string, TaskCompletionSource> Events = new(StringComparer.Ordinal);

    public TaskCompletionSource Event(string type) => Events.GetOrAdd(type, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

internal sealed class BenchRun(Args options) : IDisposable
{
    private static readonly string[] Calls = ["place", "pay", "brewing", "ready", "picked-up"];
    private static readonly string[] Steps = ["brewing", "ready", "picked-up"];
    private static readonly string[] StepWebhooks = ["order.paid", "order.brewing", "order.ready"];

    private readonly ConcurrentDictionary<string, List<double>> _latency = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, OrderFlow> _flows = new();
    private readonly ConcurrentDictionary<Guid, byte> _accepted = new();
    private readonly ConcurrentDictionary<string, int> _deliveries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _orderEvents = new(StringComparer.Ordinal);
    private readonly List<double> _endToEnd = [];
    private readonly List<double> _completedAt = [];
    private readonly string _runId = Guid.NewGuid().ToString("N")[..8];
    private long _lastWebhookTicks;
    private int _badSignatures;
    private int _notCompleted;
    private double _maxLateMs;
    private string _secret = string.Empty;
    private HttpClient _http = null!;
    private Stopwatch _clock = null!;

    public async Task Execute()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, options.WebhookPort));
        await using var receiver = builder.Build();
        receiver.MapPost("/hook", Receive);
        await receiver.StartAsync();

        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = new Uri(options.Gateway),
            Timeout = TimeSpan.FromSeconds(60),
        };
        _http.DefaultRequestHeaders.Add("X-Api-Key", options.ApiKey);

        using (var set = await _http.PutAsync($"/api/orders/{options.Tenant}/webhook", Json(new { url = $"http://127.0.0.1:{options.WebhookPort}/hook", rotateSecret = true })))
        {
            var body = await set.Content.ReadAsStringAsync();
            if (!set.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"setting the webhook answered {(int)set.StatusCode}: {body}");
            }

            _secret = JsonNode.Parse(body)!["secret"]!.GetValue<string>();
        }

        await using var database = NpgsqlDataSource.Create(options.Postgres);
        var before = await Counters(database);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        _clock = Stopwatch.StartNew();
        var flows = new List<Task>();
        var started = 0;
        if (options.Mode == "rate")
        {
            var interval = 1.0 / options.Rate;
            for (var i = 0; ; i++)
            {
                var due = i * interval;
                if (due >= options.Duration.TotalSeconds)
                {
                    break;
                }

                var wait = due - _clock.Elapsed.TotalSeconds;
                if (wait > 0.001)
                {
                    await Task.Delay(TimeSpan.FromSeconds(wait));
                }
                else
                {
                    _maxLateMs = Math.Max(_maxLateMs, -wait * 1000);
                }

                var n = i;
                flows.Add(Task.Run(() => Flow(n)));
                started++;
            }
        }
        else
        {
            var next = -1;
            flows.AddRange(Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(async () =>
            {
                while (_clock.Elapsed < options.Duration)
                {
                    await Flow(Interlocked.Increment(ref next));
                }
            })));
        }

        var loadEnd = _clock.Elapsed;
        // Drain: every accepted order is followed until Completed while the platform makes progress; the wait ends
        // when all are done or no webhook arrived for options.Drain (then what is not Completed in the database is lost).
        var all = Task.WhenAll(flows);
        while (!all.IsCompleted && _clock.Elapsed - TimeSpan.FromTicks(Interlocked.Read(ref _lastWebhookTicks)) < options.Drain)
        {
            await Task.WhenAny(all, Task.Delay(1000));
        }

        var drained = _clock.Elapsed;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        if (options.Mode != "rate")
        {
            started = _accepted.Count + _failures.GetValueOrDefault("place");
        }

        // pg_stat_database is flushed by each backend when it goes idle (at most every 10 s in PostgreSQL 15).
        await Task.Delay(TimeSpan.FromSeconds(11));
        var after = await Counters(database);
        var check = await Verify(database);

        double[] completedTimes;
        double[] endToEnd;
        lock (_endToEnd)
        {
            completedTimes = [.. _completedAt];
            endToEnd = [.. _endToEnd.Order()];
        }

        var window = (options.Duration - options.Warmup).TotalSeconds;
        var inWindow = completedTimes.Count(t => t >= options.Warmup.TotalSeconds && t < options.Duration.TotalSeconds);
        var completedCount = completedTimes.Length;
        var report = new JsonObject
        {
            ["label"] = options.Label,
            ["mode"] = options.Mode,
            ["offeredRate"] = options.Mode == "rate" ? options.Rate : null,
            ["concurrency"] = options.Mode == "rate" ? null : options.Concurrency,
            ["durationSeconds"] = options.Duration.TotalSeconds,
            ["warmupSeconds"] = options.Warmup.TotalSeconds,
            ["started"] = started,
            ["accepted"] = _accepted.Count,
            ["completedByWebhook"] = completedCount,
            ["notCompletedInTime"] = _notCompleted,
            ["completedPerSecondInWindow"] = Math.Round(inWindow / window, 1),
            ["startedPerSecond"] = Math.Round(started / loadEnd.TotalSeconds, 1),
            ["allDoneSeconds"] = Math.Round(drained.TotalSeconds, 1),
            ["schedulerMaxLateMs"] = Math.Round(_maxLateMs, 1),
            ["endToEndP50Ms"] = Percentile(endToEnd, 0.50),
            ["endToEndP99Ms"] = Percentile(endToEnd, 0.99),
            ["badSignatures"] = _badSignatures,
            ["webhookDeliveriesReceivedTwice"] = _deliveries.Count(d => d.Value > 1),
            ["webhookEventsReceivedTwice"] = _orderEvents.Count(d => d.Value > 1),
            ["driverCpuMsPerOrder"] = completedCount == 0 ? null : Math.Round(cpu.TotalMilliseconds / completedCount, 2),
            ["xactCommit"] = after.Commits - before.Commits,
            ["xactRollback"] = after.Rollbacks - before.Rollbacks,
            ["commitsPerOrder"] = check.Completed == 0 ? null : Math.Round((double)(after.Commits - before.Commits) / check.Completed, 2),
            ["rowsWrittenPerOrder"] = check.Completed == 0 ? null : Math.Round((double)(after.RowsWritten - before.RowsWritten) / check.Completed, 1),
            ["walRecordsPerOrder"] = check.Completed == 0 ? null : Math.Round((double)(after.WalRecords - before.WalRecords) / check.Completed, 1),
            ["walSyncsPerOrder"] = check.Completed == 0 ? null : Math.Round((double)(after.WalSyncs - before.WalSyncs) / check.Completed, 2),
            ["database"] = check.Json,
            ["lost"] = check.Lost,
            ["duplicated"] = check.Duplicated,
        };
        var calls = new JsonObject();
        foreach (var call in Calls)
        {
            var samples = _latency.TryGetValue(call, out var list) ? Sorted(list) : [];
            calls[call] = new JsonObject
            {
                ["n"] = samples.Length,
                ["failed"] = _failures.GetValueOrDefault(call),
                ["p50Ms"] = Percentile(samples, 0.50),
                ["p99Ms"] = Percentile(samples, 0.99),
                ["maxMs"] = samples.Length == 0 ? null : Math.Round(samples[^1], 1),
            };
        }

        var allCalls = Sorted([.. _latency.Values.SelectMany(Sorted)]);
        calls["all"] = new JsonObject { ["n"] = allCalls.Length, ["p50Ms"] = Percentile(allCalls, 0.50), ["p99Ms"] = Percentile(allCalls, 0.99) };
        report["calls"] = calls;
        Console.WriteLine(report.ToJsonString());
        await receiver.StopAsync();
    }

    private async Task Flow(int n)
    {
        var start = _clock.Elapsed.TotalMilliseconds;
        var key = $"bench-{_runId}-{n}";
        var placed = await Call("place", HttpMethod.Post, $"/api/orders/{options.Tenant}/orders", new { items = new[] { new { itemId = "latte", size = "medium", quantity = 1, extras = new[] { "oat-milk" } } }, pickupName = "Bench" }, key, HttpStatusCode.Created);
        if (placed is null)
        {
            return;
        }

        var orderId = Guid.Parse(placed["id"]!.GetValue<string>());
        _accepted[orderId] = 0;
        var flow = _flows.GetOrAdd(orderId, _ => new OrderFlow());
        if (await Call("pay", HttpMethod.Post, $"/api/orders/{options.Tenant}/orders/{orderId}/payments", new { token = options.Token }, null, HttpStatusCode.Created) is null)
        {
            return;
        }

        for (var i = 0; i < Steps.Length; i++)
        {
            if (!await Until(flow, StepWebhooks[i]))
            {
                return;
            }

            if (await Call(Steps[i], HttpMethod.Post, $"/api/orders/{options.Tenant}/orders/{orderId}/{Steps[i]}", null, null, HttpStatusCode.Accepted) is null)
            {
                return;
            }
        }

        if (!await Until(flow, "order.completed"))
        {
            return;
        }

        var end = _clock.Elapsed.TotalMilliseconds;
        lock (_endToEnd)
        {
            _endToEnd.Add(end - start);
            _completedAt.Add(end / 1000);
        }
    }

    private async Task<bool> Until(OrderFlow flow, string type)
    {
        try
        {
            await flow.Event(type).Task.WaitAsync(options.StepTimeout);
            return true;
        }
        catch (TimeoutException)
        {
            Interlocked.Increment(ref _notCompleted);
            return false;
        }
    }

    private async Task<JsonNode?> Call(string name, HttpMethod method, string path, object? body, string? idempotencyKey, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = Json(body);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var list = _latency.GetOrAdd(name, _ => []);
            lock (list)
            {
                list.Add(elapsed);
            }

            if (response.StatusCode != expected)
            {
                var count = _failures.AddOrUpdate(name, 1, (_, c) => c + 1);
                if (count <= 3)
                {
                    await Console.Error.WriteLineAsync($"{name} {path}: {(int)response.StatusCode} {text[..Math.Min(text.Length, 300)]}");
                }

                return null;
            }

            return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            _failures.AddOrUpdate(name, 1, (_, c) => c + 1);
            await Console.Error.WriteLineAsync($"{name} {path}: {ex.Message}");
            return null;
        }
    }

    private async Task<IResult> Receive(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        var delivery = request.Headers["GoCoffee-Delivery"].ToString();
        var signature = request.Headers["GoCoffee-Signature"].ToString().Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(_secret), Encoding.UTF8.GetBytes($"{signature.GetValueOrDefault("t")}.{delivery}.{body}")));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature.GetValueOrDefault("v1") ?? string.Empty)))
        {
            Interlocked.Increment(ref _badSignatures);
            return Results.StatusCode(StatusCodes.Status401Unauthorized);
        }

        Interlocked.Exchange(ref _lastWebhookTicks, _clock.Elapsed.Ticks);
        _deliveries.AddOrUpdate(delivery, 1, (_, c) => c + 1);
        var payload = JsonNode.Parse(body)!;
        var type = payload["type"]!.GetValue<string>();
        var orderId = Guid.Parse(payload["data"]!["id"]!.GetValue<string>());
        _orderEvents.AddOrUpdate($"{orderId}|{type}", 1, (_, c) => c + 1);
        _flows.GetOrAdd(orderId, _ => new OrderFlow()).Event(type).TrySetResult();
        return Results.Ok();
    }

    private static async Task<(long Commits, long Rollbacks, long WalRecords, long WalSyncs, long RowsWritten)> Counters(NpgsqlDataSource database)
    {
        await using var command = database.CreateCommand(
            """
            select xact_commit, xact_rollback, (select wal_records from pg_stat_wal), (select wal_sync from pg_stat_wal),
                   (select coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint from pg_stat_user_tables)
            from pg_stat_database where datname = current_database()
            """);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
    }

    /// <summary>What the database holds for this run's orders: lost (accepted, not Completed) and duplicated work.</summary>
    private async Task<(int Completed, int Lost, int Duplicated, JsonObject Json)> Verify(NpgsqlDataSource database)
    {
        var prefix = $"bench-{_runId}-";
        var ids = _accepted.Keys.ToArray();
        async Task<long> Scalar(string sql)
        {
            await using var command = database.CreateCommand(sql);
            command.Parameters.AddWithValue(prefix + "%");
            command.Parameters.AddWithValue(ids);
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }

        const string Run = "from orders.mt_doc_orderstate o where o.data->>'IdempotencyKey' like $1";
        var ordersOfRun = await Scalar($"select count(*) {Run}");
        var completed = await Scalar($"select count(*) {Run} and o.data->>'CurrentState' = 'Completed' and o.id = any($2)");
        var notAccepted = await Scalar($"select count(*) {Run} and not (o.id = any($2))");
        var historyOverSix = await Scalar($"select count(*) {Run} and jsonb_array_length(o.data->'History') > 6");
        var unapplied = await Scalar($"select count(*) {Run} and jsonb_array_length(coalesce(o.data->'UnappliedPayments', '[]')) > 0");
        var paymentsTwice = await Scalar("select count(*) from (select p.data->>'OrderId' from orders.mt_doc_cardpayment p where (p.data->>'OrderId')::uuid = any($2) and $1 is not null group by 1 having count(*) > 1) x");
        var deliveriesTwice = await Scalar("select count(*) from (select d.data->>'OrderId', d.data->>'Event' from orders.mt_doc_webhookdelivery d where (d.data->>'OrderId')::uuid = any($2) and $1 is not null group by 1, 2 having count(*) > 1) x");
        var deliveriesNotDelivered = await Scalar("select count(*) from orders.mt_doc_webhookdelivery d where (d.data->>'OrderId')::uuid = any($2) and d.data->>'Status' <> 'Delivered' and $1 is not null");
        var deliveries = await Scalar("select count(*) from orders.mt_doc_webhookdelivery d where (d.data->>'OrderId')::uuid = any($2) and $1 is not null");
        var outboxLeft = await Scalar("select count(*) from orders.mt_doc_outboxmessage where $1 is not null and cardinality($2) >= 0");
        var lost = ids.Length - (int)completed;
        var duplicated = (int)(notAccepted + historyOverSix + unapplied + paymentsTwice + deliveriesTwice);
        var json = new JsonObject
        {
            ["ordersOfRun"] = ordersOfRun,
            ["acceptedAndCompleted"] = completed,
            ["ordersNotAcceptedByClient"] = notAccepted,
            ["ordersWithMoreThan6Transitions"] = historyOverSix,
            ["ordersWithUnappliedPayments"] = unapplied,
            ["ordersWithTwoPayments"] = paymentsTwice,
            ["webhookEventsStoredTwice"] = deliveriesTwice,
            ["webhookDeliveries"] = deliveries,
            ["webhookDeliveriesNotDelivered"] = deliveriesNotDelivered,
            ["outboxMessagesLeft"] = outboxLeft,
        };
        return ((int)completed, lost, duplicated, json);
    }

    public void Dispose() => _http?.Dispose();

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, "application/json");

    private static double[] Sorted(List<double> list)
    {
        lock (list)
        {
            return [.. list.Order()];
        }
    }

    private static double? Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? null : Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)], 1);
}
