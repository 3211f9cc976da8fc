using System.Net;
using System.Text;
using System.Text.Json;
using GoCoffee.EndToEnd.Tests.Platform;
using GoCoffee.FakeKubernetes;
using GoCoffee.Testing;
using Xunit;
using Xunit.Abstractions;

namespace GoCoffee.EndToEnd.Tests;

/// <summary>
/// Real crashes: processes of the platform are ended with SIGKILL (no graceful stop of anything) while work is in
/// flight, started again, and the work finishes with every effect exactly once. Cluster steps are counted as server-side
/// applies at the fake API server, per object, not as resulting objects.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class CrashTests(PlatformFixture platform, ITestOutputHelper output)
{
    private const int SigKillExitCode = 137;
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Tenant_service_and_cluster_agent_killed_mid_onboarding_of_20_tenants_finish_with_every_step_applied_once()
    {
        var tenants = Enumerable.Range(0, 20).Select(i => $"crash-{i:00}").ToList();
        var held = tenants.Skip(10).ToHashSet(StringComparer.Ordinal);

        // The second half's LimitRange applies (each tenant's third object) are held at the API server: those commands are
        // half done, Namespace and ResourceQuota already applied, when the processes die.
        var hold = platform.Kubernetes.Delay(
            r => r.IsVerb("patch") && r.IsFor("limitranges") && r.Namespace is { } ns && held.Contains(TenantOf(ns)),
            TimeSpan.FromMinutes(10));
        try
        {
            await Task.WhenAll(tenants.Select(PostTenant));
            await TestInfrastructure.Eventually(
                () => Task.FromResult(HeldLimitRangeApplies(held) == held.Count ? (bool?)true : null),
                SettleTimeout,
                $"the agent is applying the LimitRange of all {held.Count} held tenants");

            var phases = await Phases(tenants);
            var appliedBefore = AppliesFor(tenants);
            output.WriteLine($"At the kill: {string.Join(", ", phases.GroupBy(p => p.Value).Select(g => $"{g.Count()} {g.Key}"))}; {appliedBefore.Count} objects applied");
            Assert.True(phases.Count(p => p.Value == "Active") < tenants.Count, "some tenants are still onboarding at the kill");
            Assert.All(held, tenant =>
            {
                Assert.Equal(1, appliedBefore.GetValueOrDefault(Object("namespaces", null, $"{tenant}-1")));
                Assert.False(appliedBefore.ContainsKey(Object("limitranges", $"{tenant}-1", "gocoffee-tenant-limits")), $"{tenant}'s LimitRange is held");
            });

            var tenantService = platform["tenant"];
            var agent = platform["cluster-agent"];
            var exits = await Task.WhenAll(tenantService.Kill(), agent.Kill());
            Assert.All(exits, code => Assert.Equal(SigKillExitCode, code));
        }
        finally
        {
            hold.Dispose();
        }

        await Task.WhenAll(platform.Restart(platform["tenant"]), platform.Restart(platform["cluster-agent"]));

        var settled = await WaitForPhases(tenants, "Active");
        Assert.All(tenants, tenant => Assert.Equal("Active", settled[tenant]));

        var applies = AppliesFor(tenants);
        var twice = applies.Where(a => a.Value != 1).Select(a => $"{a.Key}: {a.Value}").ToList();
        Assert.True(twice.Count == 0, $"applied more than once:{Environment.NewLine}{string.Join(Environment.NewLine, twice)}");
        Assert.All(tenants, tenant =>
        {
            foreach (var kind in new[] { "resourcequotas", "limitranges", "roles", "rolebindings" })
            {
                Assert.Contains(applies.Keys, a => a.Resource == kind && a.Namespace == $"{tenant}-1");
            }
        });

        // The redelivered commands found their own id on what they had applied, and skipped it.
        Assert.All(held, tenant => Assert.Equal(
            1,
            applies.GetValueOrDefault(Object("namespaces", null, $"{tenant}-1"))));
        await AssertNothingInErrorQueues();
    }

    [Fact]
    public async Task Tenant_service_killed_between_the_outbox_publish_and_the_delete_has_the_command_handled_once()
    {
        const string tenant = "relay-crash";
        var tenantService = platform["tenant"];
        Assert.Equal(SigKillExitCode, await tenantService.Kill());
        await platform.Restart(tenantService, new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Testing",
            ["Messaging__Outbox__PauseAfterPublishing"] = "GoCoffee.Contracts.Cluster.ProvisionTenantNamespaces",
        });

        await PostTenant(tenant);
        var paused = await TestInfrastructure.Eventually(
            () => Task.FromResult(tenantService.LogEventsSinceStart.FirstOrDefault(e => e.MessageTemplate?.StartsWith("Outbox relay paused after publishing", StringComparison.Ordinal) == true)),
            SettleTimeout,
            "the relay published ProvisionTenantNamespaces and paused before deleting it");
        var messageId = Guid.Parse(paused["MessageId"]!);

        // The agent handled the command (its inbox entry committed with its answer) while the row is still in the outbox.
        var agent = platform["cluster-agent"];
        await TestInfrastructure.Eventually(
            () => Task.FromResult(agent.LogEvents.Any(e => e.MessageTemplate?.StartsWith("Provisioned tenant", StringComparison.Ordinal) == true && e["TenantId"] == tenant) ? (bool?)true : null),
            SettleTimeout,
            $"the agent provisioned {tenant}");
        var appliedOnce = AppliesFor([tenant]);
        Assert.NotEmpty(appliedOnce);

        Assert.Equal(SigKillExitCode, await tenantService.Kill());
        await platform.Restart(tenantService);

        // The restarted relay publishes the row again with the same message id, and the agent's inbox skips it.
        await TestInfrastructure.Eventually(
            () => Task.FromResult(agent.LogEvents.Any(e => e.MessageTemplate?.StartsWith("Skipping {MessageType} {MessageId}", StringComparison.Ordinal) == true
                                                           && Guid.TryParse(e["MessageId"], out var id) && id == messageId) ? (bool?)true : null),
            SettleTimeout,
            $"the agent receives ProvisionTenantNamespaces {messageId} again and skips it");

        var settled = await WaitForPhases([tenant], "Active");
        Assert.Equal("Active", settled[tenant]);
        Assert.Single(agent.LogEvents, e => e.MessageTemplate?.StartsWith("Provisioned tenant", StringComparison.Ordinal) == true && e["TenantId"] == tenant);
        // The namespaces' objects were applied once, not again for the redelivered command; the monitoring step that
        // follows applied its own objects once too.
        var applied = AppliesFor([tenant]);
        Assert.All(appliedOnce, a => Assert.Equal(a.Value, applied.GetValueOrDefault(a.Key)));
        Assert.All(applied, a => Assert.Equal(1, a.Value));
        Assert.Contains(applied.Keys, a => a.Resource == "alertmanagerconfigs");
        var audit = await Operator(HttpMethod.Get, $"/api/tenants/{tenant}/audit");
        var events = JsonDocument.Parse(audit).RootElement.EnumerateArray().Select(e => e.GetProperty("event").GetString()).ToList();
        Assert.Single(events, e => e == "namespaces_provisioned");
        await AssertNothingInErrorQueues();
    }

    /// <summary>Through the gateway, as an operator; retried while the gateway has the (restarted) service out of rotation.</summary>
    private async Task PostTenant(string tenant) =>
        await Send(HttpMethod.Post, "/api/tenants", HttpStatusCode.Accepted, () => new StringContent(
            TenantDocuments.Yaml(tenant, "basic", namespaces: 1, cpu: "2", memory: "4Gi"), Encoding.UTF8, "application/yaml"));

    private Task<string> Operator(HttpMethod method, string path) => Send(method, path, HttpStatusCode.OK);

    private async Task<string> Send(HttpMethod method, string path, HttpStatusCode expected, Func<HttpContent>? content = null)
    {
        var last = string.Empty;
        return (await TestInfrastructure.Eventually(
            async () =>
            {
                using var request = new HttpRequestMessage(method, new Uri(platform.Gateway.BaseAddress, path)) { Content = content?.Invoke() };
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", platform.OperatorToken);
                using var response = await platform.Http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                last = $"{(int)response.StatusCode} {body}";
                if ((int)response.StatusCode >= 500)
                {
                    return null;
                }

                Assert.True(response.StatusCode == expected, $"{method} {path} answered {last}");
                return body;
            },
            SettleTimeout,
            $"{method} {path} answers {(int)expected} (last: {last})"))!;
    }

    /// <summary>Each tenant's phase as the tenant service reports it (straight from the service: the gateway may have it out of rotation).</summary>
    private async Task<Dictionary<string, string?>> Phases(IEnumerable<string> tenants)
    {
        var phases = new Dictionary<string, string?>();
        foreach (var tenant in tenants)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(platform.Gateway.BaseAddress, $"/api/tenants/{tenant}"));
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", platform.OperatorToken);
            using var response = await platform.Http.SendAsync(request);
            phases[tenant] = response.IsSuccessStatusCode
                ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetProperty("phase").GetString()
                : $"HTTP {(int)response.StatusCode}";
        }

        return phases;
    }

    private async Task<Dictionary<string, string?>> WaitForPhases(IReadOnlyCollection<string> tenants, string phase)
    {
        Dictionary<string, string?> last = [];
        try
        {
            return (await TestInfrastructure.Eventually(
                async () =>
                {
                    last = await Phases(tenants);
                    return last.Values.All(p => p == phase) ? last : null;
                },
                SettleTimeout,
                $"all {tenants.Count} tenants reach {phase}"))!;
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(
                $"{ex.Message}: {string.Join(", ", last.Select(p => $"{p.Key}={p.Value}"))}{Environment.NewLine}{platform.Diagnostics(30)}", ex);
        }
    }

    private int HeldLimitRangeApplies(IReadOnlySet<string> held) =>
        platform.Kubernetes.Requests
            .Where(r => r.IsVerb("patch") && r.IsFor("limitranges") && r.Namespace is { } ns && held.Contains(TenantOf(ns)))
            .Select(r => r.Namespace)
            .Distinct()
            .Count();

    /// <summary>The server-side applies of the tenants' objects: their namespaces and everything in them.</summary>
    private Dictionary<AppliedObject, int> AppliesFor(IReadOnlyCollection<string> tenants) =>
        platform.Kubernetes.ServerSideApplies
            .Where(a => tenants.Contains(TenantOf(a.Key.Namespace ?? a.Key.Name)))
            .ToDictionary(a => a.Key, a => a.Value);

    private static AppliedObject Object(string resource, string? ns, string name) =>
        new(resource is "roles" or "rolebindings" ? "rbac.authorization.k8s.io" : resource == "networkpolicies" ? "networking.k8s.io" : "", resource, ns, name, null);

    /// <summary>Tenant namespaces are <c>&lt;tenant&gt;-&lt;n&gt;</c>.</summary>
    private static string TenantOf(string ns) => ns.LastIndexOf('-') is var dash and > 0 ? ns[..dash] : ns;

    private async Task AssertNothingInErrorQueues()
    {
        var errors = await BrokerQueues.NonEmptyErrorQueues(platform.VirtualHost.Name);
        Assert.True(errors.Count == 0, $"messages in error queues: {string.Join(", ", errors.Select(e => $"{e.Key}={e.Value}"))}");
    }
}
