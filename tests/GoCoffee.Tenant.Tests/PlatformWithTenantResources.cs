using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.CustomResources;
using GoCoffee.FakeKubernetes;
using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.Testing;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace GoCoffee.Tenant.Tests;

/// <summary>
/// The platform against a fake API server that serves the Tenant custom resource, installed from the Helm chart's own
/// CRD file (helm/go-coffee-platform/crds) before the cluster-agent starts, as the chart installs it.
/// </summary>
public sealed class PlatformWithTenantResources() : PlatformUnderTest(kubernetes: true)
{
    public const string Resource = "tenants.tenant.gocoffee.dev";

    public JsonObject? TenantResource(string name) => Kubernetes.Get(Resource, null, name);

    public Task<JsonObject> WaitForResource(string name, Func<JsonObject, bool> condition, string because, TimeSpan? timeout = null) =>
        TestInfrastructure.Eventually(
            () => Task.FromResult(TenantResource(name) is { } resource && condition(resource) ? resource : null),
            timeout ?? TimeSpan.FromSeconds(45),
            because);

    /// <summary>How many <c>TenantResourceApplied</c> the tenant service has taken in: distinct message ids in its inbox.</summary>
    public async Task<int> AppliedMessagesReceived()
    {
        await using var session = Tenants.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.Query<InboxEntry>().CountAsync(entry => entry.Id.Contains("|TenantResourceApplied|"));
    }

    /// <summary>The cluster-agent's stored cursor for Tenants.</summary>
    public async Task<string?> StoredCursor()
    {
        await using var session = Agent.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return (await session.LoadAsync<WatchCursor>(Resource))?.ResourceVersion;
    }

    public async Task<List<string>> AuditEvents(string tenantId)
    {
        var audit = await Client.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenantId}/audit");
        return [.. audit.EnumerateArray().Select(e => e.GetProperty("event").GetString()!)];
    }

    protected override Task PrepareCluster(FakeKubernetesServer kubernetes)
    {
        kubernetes.SeedYaml(File.ReadAllText(LocateCrd()));
        return Task.CompletedTask;
    }

    private static string LocateCrd()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "helm", "go-coffee-platform", "crds", $"{Resource}.yaml");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"helm/go-coffee-platform/crds/{Resource}.yaml not found above {AppContext.BaseDirectory}.");
    }
}
