using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace GoCoffee.Bench.Tenants;

/// <summary>One tenant's onboarding as the client saw it: from the moment its POST left to the first read that showed it Active.</summary>
public sealed record OnboardingSample(string TenantId, DateTimeOffset PostedAt, double AcceptedMs, double? ActiveMs, string Phase)
{
    public bool Succeeded => ActiveMs is not null;
}

/// <summary>Posts tenants to the tenant service and watches them through its own API until they are Active (or Failed).</summary>
public sealed class Onboarding(HttpClient client, TimeSpan pollInterval, TimeSpan timeout)
{
    /// <summary>One tenant alone: POST, then GET it every <c>pollInterval</c> until its phase is Active or Failed.</summary>
    public async Task<OnboardingSample> One(TenantShape shape, string tenantId, CancellationToken cancellationToken)
    {
        var postedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var (accepted, status) = await Post(shape, tenantId, cancellationToken);
        if (status != HttpStatusCode.Accepted)
        {
            return new OnboardingSample(tenantId, postedAt, accepted, null, $"HTTP {(int)status}");
        }

        while (clock.Elapsed < timeout)
        {
            var phase = await Phase(tenantId, cancellationToken);
            if (phase == "Active")
            {
                return new OnboardingSample(tenantId, postedAt, accepted, clock.Elapsed.TotalMilliseconds, phase);
            }

            if (phase == "Failed")
            {
                return new OnboardingSample(tenantId, postedAt, accepted, null, phase);
            }

            await Task.Delay(pollInterval, cancellationToken);
        }

        return new OnboardingSample(tenantId, postedAt, accepted, null, "timed out");
    }

    /// <summary>
    /// Every tenant posted at once (all requests in flight together), then the tenant list read every <c>pollInterval</c>
    /// (one request per page of 100, not one per tenant, so watching does not load the service it measures).
    /// </summary>
    /// <returns>The samples and the time from the first POST to the last tenant seen Active.</returns>
    public async Task<(IReadOnlyList<OnboardingSample> Samples, double AllActiveMs)> Burst(TenantShape shape, IReadOnlyList<string> tenantIds, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var start = DateTimeOffset.UtcNow;
        var postedAt = new double[tenantIds.Count];
        var posts = tenantIds.Select((id, i) =>
        {
            postedAt[i] = clock.Elapsed.TotalMilliseconds;
            return Post(shape, id, cancellationToken);
        }).ToList();

        var pending = tenantIds.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        var seen = new (double? ActiveMs, string? Phase)[tenantIds.Count];
        while (pending.Count > 0 && clock.Elapsed < timeout)
        {
            foreach (var (id, phase) in await Phases(cancellationToken))
            {
                if (pending.TryGetValue(id, out var i) && phase is "Active" or "Failed")
                {
                    seen[i] = (phase == "Active" ? clock.Elapsed.TotalMilliseconds : null, phase);
                    pending.Remove(id);
                }
            }

            if (pending.Count > 0)
            {
                await Task.Delay(pollInterval, cancellationToken);
            }
        }

        var allActiveMs = clock.Elapsed.TotalMilliseconds;
        var answers = await Task.WhenAll(posts);
        var samples = tenantIds.Select((id, i) =>
        {
            var (accepted, status) = answers[i];
            var phase = status != HttpStatusCode.Accepted ? $"HTTP {(int)status}" : seen[i].Phase ?? "timed out";
            return new OnboardingSample(id, start.AddMilliseconds(postedAt[i]), accepted - postedAt[i], seen[i].ActiveMs - postedAt[i], phase);
        }).ToList();
        return (samples, allActiveMs);
    }

    /// <summary>The tenant's audit trail: event name and when it was stored.</summary>
    public async Task<IReadOnlyList<(string Event, DateTimeOffset At)>> Audit(string tenantId, CancellationToken cancellationToken)
    {
        var audit = await client.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenantId}/audit", cancellationToken);
        return audit.EnumerateArray()
            .Select(e => (e.GetProperty("event").GetString() ?? string.Empty, e.GetProperty("at").GetDateTimeOffset()))
            .ToList();
    }

    private async Task<(double ElapsedMs, HttpStatusCode Status)> Post(TenantShape shape, string tenantId, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var content = new StringContent(shape.Yaml(tenantId), Encoding.UTF8, "application/yaml");
        try
        {
            using var response = await client.PostAsync("/api/tenants", content, cancellationToken);
            return (clock.Elapsed.TotalMilliseconds, response.StatusCode);
        }
        catch (HttpRequestException)
        {
            return (clock.Elapsed.TotalMilliseconds, 0);
        }
    }

    private async Task<string?> Phase(string tenantId, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync($"/api/tenants/{tenantId}", cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        var tenant = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return tenant.GetProperty("status").GetProperty("phase").GetString();
    }

    private async Task<List<(string TenantId, string Phase)>> Phases(CancellationToken cancellationToken)
    {
        var phases = new List<(string, string)>();
        for (var page = 1; ; page++)
        {
            var list = await client.GetFromJsonAsync<JsonElement>($"/api/tenants?page={page}&pageSize=100", cancellationToken);
            var items = list.GetProperty("items");
            phases.AddRange(items.EnumerateArray().Select(t => (t.GetProperty("tenantId").GetString()!, t.GetProperty("phase").GetString()!)));
            if (items.GetArrayLength() < 100 || page * 100 >= list.GetProperty("total").GetInt64())
            {
                return phases;
            }
        }
    }
}
