using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.EndToEnd.Tests.Platform;
using GoCoffee.Testing;
using Xunit;
using Xunit.Abstractions;

namespace GoCoffee.EndToEnd.Tests;

/// <summary>
/// The platform as it runs: every service and the gateway as separate processes on a real PostgreSQL and RabbitMQ.
/// The broker-outage test (in PlatformTests.BrokerOutage.cs) runs last: it stops RabbitMQ for a moment.
/// </summary>
[Collection(PlatformCollection.Name)]
[TestCaseOrderer(RunsLastOrderer.TypeName, RunsLastOrderer.AssemblyName)]
public sealed partial class PlatformTests(PlatformFixture platform, ITestOutputHelper output)
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(45);

    private static readonly string[] AllServices = [.. PlatformFixture.ServiceCatalog.Select(service => service.Name)];

    private static IEnumerable<(string Name, string RoutePrefix, string Project, string Cluster)> RoutedServices =>
        PlatformFixture.ServiceCatalog.Where(s => s.Cluster is not null).Select(s => (s.Name, s.RoutePrefix, s.Project, s.Cluster!));

    [Fact]
    public async Task Every_gateway_route_reaches_its_service()
    {
        var titles = new Dictionary<string, string>();
        foreach (var (name, prefix, project, _) in RoutedServices)
        {
            var service = platform[name];

            // Health through the gateway is the service's own: it has the PostgreSQL and bus checks the gateway lacks.
            var (healthStatus, health) = await GetJsonUntil(Gateway($"{prefix}/health/ready"), HttpStatusCode.OK);
            Assert.True(healthStatus == HttpStatusCode.OK, $"{name}: GET {prefix}/health/ready via the gateway answered {(int)healthStatus}: {health}");
            var checks = health.GetProperty("checks");
            Assert.True(checks.TryGetProperty("postgresql", out _), $"{name}: the readiness report via the gateway is not the service's: {health}");
            Assert.Contains(checks.EnumerateObject(), check => check.Name.Contains("masstransit", StringComparison.OrdinalIgnoreCase));

            // The OpenAPI document through the gateway is the service's own document.
            var (docStatus, document) = await GetJson(Gateway($"{prefix}/openapi/v1.json"));
            Assert.True(docStatus == HttpStatusCode.OK, $"{name}: GET {prefix}/openapi/v1.json via the gateway answered {(int)docStatus}: {document}");
            Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
            var title = document.GetProperty("info").GetProperty("title").GetString() ?? string.Empty;
            Assert.Contains(Path.GetFileName(project), title, StringComparison.Ordinal);
            var (_, direct) = await GetJson(new Uri(service.BaseAddress, $"{prefix}/openapi/v1.json"));
            // The gateway's copy names the gateway's credentials instead of the internal token; nothing else changes.
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(direct.GetProperty("info").GetRawText()), JsonNode.Parse(document.GetProperty("info").GetRawText())), $"{name}: info differs");
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(direct.GetProperty("paths").GetRawText()), JsonNode.Parse(document.GetProperty("paths").GetRawText())), $"{name}: paths differ");
            titles[name] = title;
            output.WriteLine($"{name}: {prefix}/openapi/v1.json via the gateway is \"{title}\" with {document.GetProperty("paths").EnumerateObject().Count()} path(s)");
        }

        Assert.Equal(titles.Count, titles.Values.Distinct().Count());

        // The observability API's own operation is documented (and routed).
        var (_, observabilityDocument) = await GetJson(Gateway("/api/observability/openapi/v1.json"));
        Assert.True(observabilityDocument.GetProperty("paths").TryGetProperty("/api/observability/probes", out _), observabilityDocument.GetProperty("paths").GetRawText());
    }

    [Fact]
    public async Task Gateway_readiness_lists_every_routed_service()
    {
        output.WriteLine($"All {platform.All.Count} processes were ready {platform.StartupDuration.TotalSeconds:0.0} s after they were started; logs in {platform.LogDirectory}");
        // An operator reads every check; anyone else reads the status only.
        var (status, report) = await GetJsonUntil(Gateway("/health/ready"), HttpStatusCode.OK, asOperator: true);

        Assert.True(status == HttpStatusCode.OK, $"gateway /health/ready answered {(int)status}: {report}");
        Assert.Equal("Healthy", report.GetProperty("status").GetString());
        var checks = report.GetProperty("checks");
        foreach (var (name, _, _, cluster) in RoutedServices)
        {
            Assert.True(checks.TryGetProperty($"{cluster}/primary", out var check), $"gateway readiness has no check for {cluster}: {report}");
            Assert.Equal("Healthy", check.GetProperty("status").GetString());
            Assert.Contains(platform[name].BaseAddress.Authority, check.GetProperty("description").GetString(), StringComparison.Ordinal);
        }

        // Besides the routed services, the gateway is ready once it loaded the tenant directory (tenants and API keys).
        Assert.True(checks.TryGetProperty("tenant-directory", out var directory), $"gateway readiness has no tenant-directory check: {report}");
        Assert.Equal("Healthy", directory.GetProperty("status").GetString());
        Assert.Equal(RoutedServices.Count() + 1, checks.EnumerateObject().Count());
    }

    [Fact]
    public async Task Every_process_serves_Prometheus_metrics()
    {
        foreach (var process in platform.All)
        {
            using var response = await platform.Http.GetAsync(new Uri(process.BaseAddress, "/metrics"));
            var body = await response.Content.ReadAsStringAsync();

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{process.Name} /metrics answered {(int)response.StatusCode}: {body}");
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
            Assert.Contains("# TYPE ", body, StringComparison.Ordinal);
            Assert.Matches($"(?m)^target_info\\{{.*service_name=\"{process.Name}\"", body);

            // Redundant per-request instruments are dropped (this very request was routed, so routing would have counted it).
            Assert.DoesNotContain("aspnetcore_routing_match_attempts", body, StringComparison.Ordinal);
            Assert.DoesNotContain("http_client_request_time_in_queue", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_probe_published_by_one_service_is_consumed_by_every_service_exactly_once()
    {
        var stopwatch = Stopwatch.StartNew();
        var probe = await StartProbe();

        var answers = await WaitForAnswers(probe, AllServices);
        output.WriteLine($"Probe {probe} answered by all {AllServices.Length} services in {stopwatch.ElapsedMilliseconds} ms: {answers.GetRawText()}");

        var byService = answers.GetProperty("answers").EnumerateArray().GroupBy(answer => answer.GetProperty("service").GetString()!).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(AllServices.Order(), byService.Keys.Order());
        foreach (var service in AllServices)
        {
            var answer = Assert.Single(byService[service]);
            Assert.Equal(platform[service].Instance, answer.GetProperty("instance").GetString());
            Assert.True(answer.GetProperty("roundTripMs").GetDouble() >= 0, answer.GetRawText());
        }

        // Each service consumed the request once, and observability consumed each answer once. (Log lines are written
        // by a background writer: wait for each service's line, then check it is the only one.)
        foreach (var service in AllServices)
        {
            await LogEventOf(platform[service], e => e.MessageTemplate == "Answering platform probe {ProbeId}" && SameId(e["ProbeId"], probe), $"{service} answering probe {probe}");
            var answering = platform[service].LogEvents.Where(e => e.MessageTemplate == "Answering platform probe {ProbeId}" && SameId(e["ProbeId"], probe)).ToList();
            Assert.True(answering.Count == 1, $"{service} logged 'Answering platform probe {probe}' {answering.Count} times:{Environment.NewLine}{platform[service].Tail()}");
        }

        var recorded = await TestInfrastructure.Eventually(
            () => Task.FromResult<List<LogEvent>?>(AnswersLogged(probe) is { Count: >= 6 } logged ? logged : null),
            TimeSpan.FromSeconds(5),
            "observability logged every answer");
        Assert.Equal(AllServices.Order(), recorded.Select(e => e["Service"]).Order());
    }

    [Fact]
    public async Task One_trace_id_follows_a_probe_from_the_gateway_over_the_bus_and_back()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var traceparent = $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01";

        var probe = await StartProbe(traceparent);
        await WaitForAnswers(probe, AllServices);

        var gatewayRequest = await LogEventOf(platform.Gateway, e => IsProbeRequestLog(e) && e.TraceId == traceId, "the gateway's request log line for the POST");
        var observabilityRequest = await LogEventOf(platform["observability"], e => IsProbeRequestLog(e) && e.TraceId == traceId, "observability's request log line for the POST");
        var tenantAnswering = await LogEventOf(
            platform["tenant"], e => e.MessageTemplate == "Answering platform probe {ProbeId}" && SameId(e["ProbeId"], probe), "the tenant's 'Answering platform probe' line");
        var tenantAnswerRecorded = await LogEventOf(
            platform["observability"],
            e => e.MessageTemplate == "Platform probe {ProbeId} answered by {Service} ({Instance})" && SameId(e["ProbeId"], probe) && e["Service"] == "tenant",
            "observability's 'answered by tenant' line");

        Assert.Equal("202", gatewayRequest["StatusCode"]);
        Assert.Equal("202", observabilityRequest["StatusCode"]);
        Assert.True(traceId == tenantAnswering.TraceId, $"tenant answered probe {probe} in trace {tenantAnswering.TraceId}, not {traceId}: {tenantAnswering}");
        Assert.True(traceId == tenantAnswerRecorded.TraceId, $"observability recorded the tenant's answer in trace {tenantAnswerRecorded.TraceId}, not {traceId}: {tenantAnswerRecorded}");

        // Distinct spans of one trace: the gateway's, the service's request, the consumers'.
        Assert.Equal(4, new[] { gatewayRequest.SpanId, observabilityRequest.SpanId, tenantAnswering.SpanId, tenantAnswerRecorded.SpanId }.Distinct().Count());
    }

    [Fact]
    public async Task A_tenant_onboarded_through_the_gateway_is_served_with_its_own_API_key_and_nothing_else()
    {
        var tenantId = $"e2e-{Guid.NewGuid():N}"[..16];
        using var create = new HttpRequestMessage(HttpMethod.Post, Gateway("/api/tenants"))
        {
            Content = System.Net.Http.Json.JsonContent.Create(new
            {
                apiVersion = "tenant.gocoffee.dev/v1",
                kind = "Tenant",
                metadata = new { name = tenantId },
                spec = new { tenantId, tier = "basic", resources = new { namespaces = 1, cpu = "1", memory = "2Gi", storage = "5Gi" }, owners = new[] { "e2e@example.com" } },
            }),
        };
        create.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", platform.OperatorToken);
        using var created = await platform.Http.SendAsync(create);
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Accepted, $"POST /api/tenants via the gateway answered {(int)created.StatusCode}: {body}");
        var key = JsonDocument.Parse(body).RootElement.GetProperty("apiKey").GetProperty("key").GetString()!;

        // The key starts working once the tenant is active and the gateway process has learned it from the bus.
        var stopwatch = Stopwatch.StartNew();
        await TestInfrastructure.Eventually(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, Gateway($"/api/tenants/{tenantId}"));
                request.Headers.Add("X-Api-Key", key);
                using var response = await platform.Http.SendAsync(request);
                return response.StatusCode == HttpStatusCode.OK ? (bool?)true : null;
            },
            TimeSpan.FromSeconds(60),
            $"the gateway serves {tenantId} with its API key{Environment.NewLine}{platform.Diagnostics()}");
        output.WriteLine($"{tenantId}'s API key accepted through the gateway {stopwatch.ElapsedMilliseconds} ms after creation");

        // Listing tenants with its key shows its own tenant and no other, whatever header it adds.
        using var others = new HttpRequestMessage(HttpMethod.Get, Gateway("/api/tenants?pageSize=100"));
        others.Headers.Add("X-Api-Key", key);
        others.Headers.Add("X-Tenant-Id", "someone-else");
        using var listed = await platform.Http.SendAsync(others);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        using var page = JsonDocument.Parse(await listed.Content.ReadAsStringAsync());
        Assert.Equal([tenantId], page.RootElement.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("tenantId").GetString()));

        using var direct = new HttpRequestMessage(HttpMethod.Get, new Uri(platform["tenant"].BaseAddress, $"/api/tenants/{tenantId}"));
        direct.Headers.Add("X-Api-Key", key);
        Assert.Equal(HttpStatusCode.Unauthorized, (await platform.Http.SendAsync(direct)).StatusCode);
    }

    private Uri Gateway(string pathAndQuery) => new(platform.Gateway.BaseAddress, pathAndQuery);

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetJson(Uri uri, bool asOperator = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (asOperator)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", platform.OperatorToken);
        }

        using var response = await platform.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            using var document = JsonDocument.Parse(text);
            return (response.StatusCode, document.RootElement.Clone());
        }
        catch (JsonException)
        {
            Assert.Fail($"GET {uri} answered {(int)response.StatusCode} with a body that is not JSON: {text}");
            throw;
        }
    }

    /// <summary>
    /// GETs until the expected status comes (readiness may flap for a moment on a starved machine: its checks have 3 s
    /// timeouts); returns the last answer either way, so the caller's assertion shows what came instead.
    /// </summary>
    private async Task<(HttpStatusCode Status, JsonElement Body)> GetJsonUntil(Uri uri, HttpStatusCode expected, bool asOperator = false)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var answer = await GetJson(uri, asOperator);
            if (answer.Status == expected || DateTime.UtcNow > deadline)
            {
                return answer;
            }

            output.WriteLine($"GET {uri} answered {(int)answer.Status}, expected {(int)expected}; retrying: {answer.Body}");
            await Task.Delay(500);
        }
    }

    /// <summary>POST /api/observability/probes through the gateway; returns the probe id.</summary>
    private async Task<Guid> StartProbe(string? traceparent = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Gateway("/api/observability/probes"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", platform.OperatorToken);
        if (traceparent is not null)
        {
            request.Headers.Add("traceparent", traceparent);
        }

        using var response = await platform.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /api/observability/probes answered {(int)response.StatusCode}: {body}{Environment.NewLine}{platform.Diagnostics()}");
        using var document = JsonDocument.Parse(body);
        var id = document.RootElement.GetProperty("id").GetGuid();
        Assert.Equal($"/api/observability/probes/{id}", response.Headers.Location?.OriginalString);
        return id;
    }

    /// <summary>GETs the probe through the gateway until every expected service has answered; returns the probe view.</summary>
    private async Task<JsonElement> WaitForAnswers(Guid probe, IReadOnlyCollection<string> services)
    {
        JsonElement last = default;
        try
        {
            var view = await TestInfrastructure.Eventually<JsonElement?>(
                async () =>
                {
                    var (status, view) = await GetJson(Gateway($"/api/observability/probes/{probe}"), asOperator: true);
                    Assert.True(status == HttpStatusCode.OK, $"GET probe {probe} answered {(int)status}: {view}");
                    last = view;
                    var answered = view.GetProperty("answers").EnumerateArray().Select(a => a.GetProperty("service").GetString()).ToHashSet();
                    return services.All(answered.Contains) ? view : null;
                },
                ProbeTimeout,
                $"probe {probe} answered by {string.Join(", ", services)}");
            return view!.Value;
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; last view: {last}{Environment.NewLine}{platform.Diagnostics()}", ex);
        }
    }

    private async Task<LogEvent> LogEventOf(PlatformProcess process, Func<LogEvent, bool> match, string what)
    {
        try
        {
            return await TestInfrastructure.Eventually(() => Task.FromResult(process.LogEvents.FirstOrDefault(match)), TimeSpan.FromSeconds(10), what);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}: not in the output of {process.Name}{Environment.NewLine}{process.Tail(60)}", ex);
        }
    }

    private List<LogEvent> AnswersLogged(Guid probe) =>
        [.. platform["observability"].LogEvents.Where(e => e.MessageTemplate == "Platform probe {ProbeId} answered by {Service} ({Instance})" && SameId(e["ProbeId"], probe))];

    private static bool IsProbeRequestLog(LogEvent e) =>
        e["RequestMethod"] == "POST" && e["RequestPath"] == "/api/observability/probes" && e.MessageTemplate?.StartsWith("HTTP ", StringComparison.Ordinal) == true;

    private static bool SameId(string? logged, Guid id) => Guid.TryParse(logged, out var parsed) && parsed == id;
}
