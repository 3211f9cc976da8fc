using System.Net;
using System.Text;
using System.Text.Json;
using GoCoffee.EndToEnd.Tests.Platform;
using GoCoffee.Testing;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace GoCoffee.EndToEnd.Tests;

/// <summary>
/// Two replicas side by side, as a Deployment with <c>replicas: 2</c> runs them: the same database schema and virtual
/// host, separate processes.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ReplicaTests(PlatformFixture platform, ITestOutputHelper output)
{
    private const string RelayActive = "Outbox relay active for schema {Schema}: this instance publishes its outbox";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Two_tenant_replicas_run_one_outbox_relay_share_the_queues_and_the_survivor_takes_the_relay_when_the_holder_is_killed()
    {
        var primary = platform["tenant"];
        var replica = await platform.StartReplica("tenant");
        try
        {
            // One relay per schema: exactly one advisory-lock holder, and it is one of the two processes.
            var holder = await RelayHolder();
            Assert.Contains(holder, new[] { primary.Instance, replica.Instance });
            var (active, standby) = holder == primary.Instance ? (primary, replica) : (replica, primary);
            Assert.Contains(active.LogEventsSinceStart, e => e.MessageTemplate == RelayActive);
            Assert.DoesNotContain(standby.LogEventsSinceStart, e => e.MessageTemplate == RelayActive);

            // Competing consumers: each probe is answered by one tenant instance, and the two share the probes.
            var instances = new List<string>();
            for (var i = 0; i < 8; i++)
            {
                var answers = await ProbeAnswers(await StartProbe());
                var fromTenant = answers.Where(a => a.Service == "tenant").ToList();
                Assert.Single(fromTenant);
                instances.Add(fromTenant[0].Instance);
            }

            output.WriteLine($"tenant probe answers by instance: {string.Join(", ", instances.GroupBy(i => i).Select(g => $"{g.Key}={g.Count()}"))}");
            Assert.Equal(new[] { primary.Instance, replica.Instance }.Order(), instances.Distinct().Order());

            // Onboarding with both replicas consuming: each tenant's cluster step happens once.
            var tenants = Enumerable.Range(0, 6).Select(i => $"twin-{i}").ToList();
            await Task.WhenAll(tenants.Select(tenant => Send(HttpMethod.Post, "/api/tenants", HttpStatusCode.Accepted, TenantYaml(tenant))));
            foreach (var tenant in tenants)
            {
                await WaitForPhase(tenant, "Active");
                var audit = JsonDocument.Parse(await Send(HttpMethod.Get, $"/api/tenants/{tenant}/audit", HttpStatusCode.OK)).RootElement;
                Assert.Single(audit.EnumerateArray(), e => e.GetProperty("event").GetString() == "namespaces_provisioned");
            }

            var applies = platform.Kubernetes.ServerSideApplies.Where(a => tenants.Any(t => (a.Key.Namespace ?? a.Key.Name).StartsWith(t + "-", StringComparison.Ordinal))).ToList();
            Assert.NotEmpty(applies);
            Assert.All(applies, a => Assert.True(a.Value == 1, $"{a.Key} applied {a.Value} times"));

            // Kill the relay holder: PostgreSQL releases its lock with its connection, and the other replica takes over.
            var killedInstance = active.Instance;
            await active.Kill();
            await TestInfrastructure.Eventually(
                () => Task.FromResult(standby.LogEventsSinceStart.Any(e => e.MessageTemplate == RelayActive) ? (bool?)true : null),
                Timeout,
                $"{standby.Name} takes over the outbox relay");
            Assert.Equal(standby.Instance, await RelayHolder());
            if (active == primary)
            {
                // The gateway routes to the primary: bring it back (as a standby now) so the API answers.
                await platform.Restart(primary);
                Assert.DoesNotContain(primary.LogEventsSinceStart, e => e.MessageTemplate == RelayActive);
            }

            // What is committed now leaves through the survivor's relay.
            await Send(HttpMethod.Post, "/api/tenants", HttpStatusCode.Accepted, TenantYaml("twin-after"));
            await WaitForPhase("twin-after", "Active");
            Assert.Equal(standby.Instance, await RelayHolder());
            output.WriteLine($"relay moved from {killedInstance} to {standby.Instance}");
            Assert.Empty(await BrokerQueues.NonEmptyErrorQueues(platform.VirtualHost.Name));
        }
        finally
        {
            await platform.StopReplica(replica);
            if (primary.HasExited)
            {
                await platform.Restart(primary);
            }
        }
    }

    [Fact]
    public async Task Rate_limits_are_per_gateway_instance_so_two_replicas_let_a_tenant_through_twice_its_limit()
    {
        const string tenant = "twin-limits";
        var created = JsonDocument.Parse(await Send(HttpMethod.Post, "/api/tenants", HttpStatusCode.Accepted, TenantYaml(tenant))).RootElement;
        var apiKey = created.GetProperty("apiKey").GetProperty("key").GetString()!;
        await WaitForPhase(tenant, "Active");

        const int limit = 5;
        var overrides = new Dictionary<string, string> { [$"Gateway__RateLimits__Overrides__{tenant}"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var gateways = new[] { await platform.StartReplica("gateway", overrides), await platform.StartReplica("gateway", overrides) };
        try
        {
            // Both replicas know the tenant's key (each reads the directory and gets every event).
            foreach (var gateway in gateways)
            {
                await TestInfrastructure.Eventually(
                    async () => await GetWithKey(gateway, tenant, apiKey) == HttpStatusCode.OK ? (bool?)true : null,
                    Timeout,
                    $"{gateway.Name} accepts {tenant}'s key");
            }

            // Each replica has its own bucket: after the requests above, each lets through what is left of its own limit.
            var passed = new Dictionary<string, int>();
            foreach (var gateway in gateways)
            {
                var statuses = new List<HttpStatusCode>();
                for (var i = 0; i < limit + 3; i++)
                {
                    statuses.Add(await GetWithKey(gateway, tenant, apiKey));
                }

                Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"{gateway.Name}: {s}"));
                Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
                passed[gateway.Name] = statuses.Count(s => s == HttpStatusCode.OK) + 1;
            }

            output.WriteLine($"requests let through per replica (limit {limit}/min): {string.Join(", ", passed.Select(p => $"{p.Key}={p.Value}"))}");
            Assert.All(passed.Values, count => Assert.InRange(count, limit, limit + 1));
            Assert.True(passed.Values.Sum() >= 2 * limit, "together the replicas let through twice the tenant's limit: limits are per instance");
        }
        finally
        {
            foreach (var gateway in gateways)
            {
                await platform.StopReplica(gateway);
            }
        }
    }

    private static Func<HttpContent> TenantYaml(string tenant) =>
        () => new StringContent(TenantDocuments.Yaml(tenant, "basic", namespaces: 1, cpu: "2", memory: "4Gi"), Encoding.UTF8, "application/yaml");

    private async Task<HttpStatusCode> GetWithKey(PlatformProcess gateway, string tenant, string apiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway.BaseAddress, $"/api/tenants/{tenant}"));
        request.Headers.Add("X-Api-Key", apiKey);
        using var response = await platform.Http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>The application name (<c>&lt;machine&gt;-&lt;pid&gt;</c>) of the one connection holding the tenant schema's relay lock.</summary>
    private async Task<string> RelayHolder()
    {
        await using var connection = new NpgsqlConnection(platform.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            select a.application_name
            from pg_locks l join pg_stat_activity a on a.pid = l.pid
            where l.locktype = 'advisory' and l.granted and l.database = (select oid from pg_database where datname = current_database())
              and ((l.classid::bigint << 32) | l.objid::bigint) = hashtext('gocoffee-outbox:tenant')::bigint
            """,
            connection);
        var holders = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                holders.Add(reader.GetString(0));
            }
        }

        return Assert.Single(holders);
    }

    private async Task<Guid> StartProbe()
    {
        var body = await Send(HttpMethod.Post, "/api/observability/probes", HttpStatusCode.Accepted);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    }

    private async Task<List<(string Service, string Instance)>> ProbeAnswers(Guid probe) =>
        (await TestInfrastructure.Eventually(
            async () =>
            {
                var view = JsonDocument.Parse(await Send(HttpMethod.Get, $"/api/observability/probes/{probe}", HttpStatusCode.OK)).RootElement;
                var answers = view.GetProperty("answers").EnumerateArray()
                    .Select(a => (Service: a.GetProperty("service").GetString()!, Instance: a.GetProperty("instance").GetString()!))
                    .ToList();
                return answers.Select(a => a.Service).Distinct().Count() == PlatformFixture.ServiceCatalog.Count ? answers : null;
            },
            Timeout,
            $"probe {probe} answered by every service"))!;

    private async Task WaitForPhase(string tenant, string phase)
    {
        var last = string.Empty;
        await TestInfrastructure.Eventually(
            async () =>
            {
                last = await Send(HttpMethod.Get, $"/api/tenants/{tenant}", HttpStatusCode.OK);
                return JsonDocument.Parse(last).RootElement.GetProperty("status").GetProperty("phase").GetString() == phase ? (bool?)true : null;
            },
            Timeout,
            $"{tenant} reaches {phase} (last: {last})");
    }

    /// <summary>Through the main gateway as an operator; retried while the gateway has a restarted service out of rotation.</summary>
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
            Timeout,
            $"{method} {path} answers {(int)expected} (last: {last})"))!;
    }
}
