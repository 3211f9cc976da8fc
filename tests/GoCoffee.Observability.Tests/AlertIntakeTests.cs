using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoCoffee.Testing;
using static GoCoffee.Observability.Tests.AlertPlatform;

namespace GoCoffee.Observability.Tests;

public sealed class AlertIntakeTests(AlertPlatform platform) : IClassFixture<AlertPlatform>
{
    [Fact]
    public async Task A_tenant_alert_reaches_that_tenants_webhook_once_however_often_alertmanager_resends_it_and_never_another_tenant()
    {
        var owner = await platform.TenantWithWebhook("alerted");
        var other = await platform.TenantWithWebhook("bystander");
        var fingerprint = NewFingerprint();
        var startsAt = DateTimeOffset.UtcNow.AddMinutes(-3);

        // Alertmanager resends a firing group every group_interval / repeat_interval: the same fingerprint and startsAt.
        var firing = Payload("firing", fingerprint, "OrdersErrorRateHigh", owner, startsAt);
        var first = await ReadResult(await platform.PostToIntake(firing));
        var resent = await ReadResult(await platform.PostToIntake(firing));
        Assert.Equal((1, 0, 0), first);
        Assert.Equal((0, 0, 1), resent);

        var resolved = Payload("resolved", fingerprint, "OrdersErrorRateHigh", owner, startsAt, DateTimeOffset.UtcNow);
        Assert.Equal((0, 1, 0), await ReadResult(await platform.PostToIntake(resolved)));
        Assert.Equal((0, 0, 1), await ReadResult(await platform.PostToIntake(resolved)));

        var delivered = await TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Receiver.Received.FirstOrDefault(r => r.Path == $"/{owner}" && r.Event == "alert.resolved")),
            TimeSpan.FromSeconds(30),
            "the alert.resolved webhook reaches the alert's tenant");
        var fired = Assert.Single(platform.Receiver.Received, r => r.Path == $"/{owner}" && r.Event == "alert.fired");
        Assert.Single(platform.Receiver.Received, r => r.Path == $"/{owner}" && r.Event == "alert.resolved");
        Assert.DoesNotContain(platform.Receiver.Received, r => r.Path == $"/{other}");

        using var body = JsonDocument.Parse(fired.Body);
        Assert.Equal(owner, body.RootElement.GetProperty("tenantId").GetString());
        Assert.Equal("OrdersErrorRateHigh", body.RootElement.GetProperty("data").GetProperty("alertName").GetString());
        Assert.Equal("firing", body.RootElement.GetProperty("data").GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(fired.Signature));
        Assert.Equal("resolved", JsonDocument.Parse(delivered.Body).RootElement.GetProperty("data").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Concurrent_resends_of_one_firing_publish_it_once()
    {
        var tenant = await platform.TenantWithWebhook("raced");
        var firing = Payload("firing", NewFingerprint(), "PodCrashLooping", tenant, DateTimeOffset.UtcNow.AddMinutes(-1));
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ => await ReadResult(await platform.PostToIntake(firing))));
        Assert.Equal(1, results.Sum(r => r.Fired));
        Assert.Equal(5, results.Sum(r => r.Unchanged));

        // A later alert of the same tenant arrives after the first; by then a second copy would have too.
        await platform.PostToIntake(Payload("firing", NewFingerprint(), "Marker", tenant, DateTimeOffset.UtcNow));
        await TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Receiver.Received.FirstOrDefault(r => r.Path == $"/{tenant}" && r.Body.Contains("\"Marker\"", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(30),
            "the marker alert arrives");
        Assert.Single(platform.Receiver.Received, r => r.Path == $"/{tenant}" && r.Body.Contains("PodCrashLooping", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_platform_wide_alert_reaches_no_tenant_webhook()
    {
        var tenant = await platform.TenantWithWebhook("quiet");
        var fingerprint = NewFingerprint();
        Assert.Equal((1, 0, 0), await ReadResult(await platform.PostToIntake(Payload("firing", fingerprint, "RabbitMqQueueWithoutConsumers", null, DateTimeOffset.UtcNow))));

        // A tenant alert posted after it is delivered; by then the platform alert would have been too.
        var marker = NewFingerprint();
        await platform.PostToIntake(Payload("firing", marker, "Marker", tenant, DateTimeOffset.UtcNow));
        await TestInfrastructure.Eventually(
            () => Task.FromResult(platform.Receiver.Received.FirstOrDefault(r => r.Path == $"/{tenant}" && r.Body.Contains("\"Marker\"", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(30),
            "the tenant's own alert arrives");
        Assert.DoesNotContain(platform.Receiver.Received, r => r.Body.Contains("RabbitMqQueueWithoutConsumers", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Firing_alerts_are_listed_for_operators_and_a_tenant_sees_only_its_own()
    {
        var mine = $"mine-{Guid.NewGuid():N}"[..13];
        var theirs = $"theirs-{Guid.NewGuid():N}"[..15];
        var now = DateTimeOffset.UtcNow;
        await platform.PostToIntake(Payload("firing", NewFingerprint(), "TenantStuckProvisioning", mine, now));
        await platform.PostToIntake(Payload("firing", NewFingerprint(), "TenantStuckProvisioning", theirs, now));
        await platform.PostToIntake(Payload("firing", NewFingerprint(), "PostgresConnectionsNearLimit", null, now));

        var all = await List(platform.Observability.Client, "/api/observability/alerts?status=all&limit=500");
        Assert.Contains(all, a => a.Tenant == mine);
        Assert.Contains(all, a => a.Tenant == theirs);
        Assert.Contains(all, a => a.Tenant is null && a.Name == "PostgresConnectionsNearLimit");

        var own = await List(platform.Observability.ClientForTenant(mine), "/api/observability/alerts?status=all&limit=500");
        var alert = Assert.Single(own);
        Assert.Equal(("TenantStuckProvisioning", mine, "firing"), (alert.Name, alert.Tenant, alert.Status));

        // Asking for another tenant by query changes nothing for a tenant's caller.
        var asked = await List(platform.Observability.ClientForTenant(mine), $"/api/observability/alerts?tenant={theirs}");
        Assert.All(asked, a => Assert.Equal(mine, a.Tenant));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token-wrong-token-wrong-token-0000")]
    [InlineData("")]
    public async Task The_intake_refuses_a_missing_or_wrong_token_with_401(string? token)
    {
        using var response = await platform.PostToIntake(Payload("firing", NewFingerprint(), "X", null, DateTimeOffset.UtcNow), token);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_intake_refuses_a_callers_internal_token_so_the_gateway_cannot_forward_to_it()
    {
        // The gateway replaces every client's Authorization with an internal token: even an operator's request is refused.
        using var response = await platform.PostToIntake(Payload("firing", NewFingerprint(), "X", null, DateTimeOffset.UtcNow), token: null, client: platform.Observability.Client);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("[]", "$")]
    [InlineData("{\"alerts\":[]}", "version")]
    [InlineData("{\"version\":\"3\",\"alerts\":[]}", "version")]
    [InlineData("{\"version\":\"4\"}", "alerts")]
    [InlineData("{\"version\":\"4\",\"alerts\":{}}", "alerts")]
    [InlineData("{\"version\":\"4\",\"version\":\"4\",\"alerts\":[]}", "$.version")]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"status\":\"pending\",\"fingerprint\":\"ab12\",\"labels\":{\"alertname\":\"A\"},\"startsAt\":\"2026-01-01T00:00:00Z\"}]}", "alerts[0].status")]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"A\"},\"startsAt\":\"2026-01-01T00:00:00Z\"}]}", "alerts[0].fingerprint")]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"fingerprint\":\"not hex!\",\"labels\":{\"alertname\":\"A\"},\"startsAt\":\"2026-01-01T00:00:00Z\"}]}", "alerts[0].fingerprint")]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"fingerprint\":\"ab12\",\"startsAt\":\"2026-01-01T00:00:00Z\"}]}", "alerts[0].labels")]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"fingerprint\":\"ab12\",\"labels\":{\"severity\":\"critical\"},\"startsAt\":\"2026-01-01T00:00:00Z\"}]}", "alerts[0].labels.alertname")]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"fingerprint\":\"ab12\",\"labels\":{\"alertname\":\"A\",\"tenant\":\"Not_A_Tenant\"},\"startsAt\":\"2026-01-01T00:00:00Z\"}]}", "alerts[0].labels.tenant")]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"fingerprint\":\"ab12\",\"labels\":{\"alertname\":7},\"startsAt\":\"2026-01-01T00:00:00Z\"}]}", "alerts[0].labels.alertname")]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"fingerprint\":\"ab12\",\"labels\":{\"alertname\":\"A\"},\"startsAt\":\"yesterday\"}]}", "alerts[0].startsAt")]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"fingerprint\":\"ab12\",\"labels\":{\"alertname\":\"A\"}}]}", "alerts[0].startsAt")]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"status\":\"resolved\",\"fingerprint\":\"ab12\",\"labels\":{\"alertname\":\"A\"},\"startsAt\":\"2026-01-02T00:00:00Z\",\"endsAt\":\"2026-01-01T00:00:00Z\"}]}", "alerts[0].endsAt")]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"fingerprint\":\"ab12\",\"labels\":{\"alertname\":\"A\"},\"annotations\":[],\"startsAt\":\"2026-01-01T00:00:00Z\"}]}", "alerts[0].annotations")]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{}}}}}}}}}]}", "$.alerts[0].a.b.c.d.e.f")]
    public async Task A_malformed_payload_is_a_400_problem_naming_the_field(string json, string field)
    {
        using var response = await platform.PostToIntake(json);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = problem.RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
        Assert.True(errors.Any(name => name.StartsWith(field, StringComparison.Ordinal)), $"the problem names {field}: {problem.RootElement}");
    }

    [Fact]
    public async Task A_payload_that_is_not_json_is_415()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/observability/alerts/intake") { Content = new StringContent("version: 4", System.Text.Encoding.UTF8, "application/yaml") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", IntakeToken);
        using var response = await platform.Observability.AnonymousClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    private static async Task<(int Fired, int Resolved, int Unchanged)> ReadResult(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var result = await response.Content.ReadFromJsonAsync<JsonElement>();
            return (result.GetProperty("fired").GetInt32(), result.GetProperty("resolved").GetInt32(), result.GetProperty("unchanged").GetInt32());
        }
    }

    private static async Task<List<(string Name, string? Tenant, string Status)>> List(HttpClient client, string path)
    {
        var list = await client.GetFromJsonAsync<JsonElement>(path);
        return list.GetProperty("items").EnumerateArray()
            .Select(a => (a.GetProperty("alertName").GetString()!, a.TryGetProperty("tenantId", out var tenant) ? tenant.GetString() : null, a.GetProperty("status").GetString()!))
            .ToList();
    }
}
