using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.CustomResources.Tenants;
using GoCoffee.ClusterAgent.Targets;
using GoCoffee.FakeKubernetes;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GoCoffee.ClusterAgent.Tests.CustomResources;

/// <summary>Status writes against the fake API server, which serves Tenants as the CRD declares them (status subresource).</summary>
public sealed class TenantStatusWriterTests : IAsyncLifetime
{
    private FakeKubernetesServer _server = null!;
    private Kubernetes _client = null!;
    private TenantStatusWriter _writer = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeKubernetesServer.StartAsync(options => options.AddCustomResource("tenant.gocoffee.dev", "v1", "Tenant", "tenants", namespaced: false, status: true, "tn"));
        _client = new Kubernetes(new KubernetesClientConfiguration { Host = _server.BaseUri.ToString() });
        _writer = new TenantStatusWriter(_client, Options.Create(new ClusterAgentOptions()), NullLogger<TenantStatusWriter>.Instance);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Status_is_applied_through_the_status_subresource_and_only_when_it_differs()
    {
        var seeded = _server.Seed(Tenant("acme"));
        var status = new JsonObject { ["phase"] = "Active", ["observedGeneration"] = 1 };
        _server.ClearRequests();

        var first = await _writer.WriteAsync((await _writer.GetAsync("acme", CancellationToken.None))!, status, CancellationToken.None);
        var second = await _writer.WriteAsync((await _writer.GetAsync("acme", CancellationToken.None))!, status.DeepClone().AsObject(), CancellationToken.None);

        Assert.Equal(StatusWrite.Written, first);
        Assert.Equal(StatusWrite.Unchanged, second);
        var write = Assert.Single(_server.Requests, r => r.IsVerb("patch"));
        Assert.Equal("status", write.Subresource);
        Assert.StartsWith("application/apply-patch", write.ContentType, StringComparison.Ordinal);
        Assert.Equal("gocoffee-cluster-agent", write.Query["fieldManager"]);

        var stored = _server.Get("tenants", null, "acme")!;
        Assert.Equal("Active", (string?)stored["status"]!["phase"]);
        Assert.True(JsonNode.DeepEquals(seeded["spec"], stored["spec"]), "spec is untouched");
        Assert.Equal(seeded["metadata"]!["generation"]!.GetValue<long>(), stored["metadata"]!["generation"]!.GetValue<long>());
    }

    [Fact]
    public async Task Fields_no_longer_in_the_status_are_removed()
    {
        _server.Seed(Tenant("shrinking"));
        await _writer.WriteAsync((await _writer.GetAsync("shrinking", CancellationToken.None))!, new JsonObject { ["phase"] = "Failed", ["namespaces"] = new JsonArray("shrinking-1") }, CancellationToken.None);

        await _writer.WriteAsync((await _writer.GetAsync("shrinking", CancellationToken.None))!, new JsonObject { ["phase"] = "Pending" }, CancellationToken.None);

        var status = _server.Get("tenants", null, "shrinking")!["status"]!.AsObject();
        Assert.Equal(["phase"], status.Select(p => p.Key));
    }

    [Fact]
    public async Task A_missing_resource_is_reported_as_gone()
    {
        Assert.Null(await _writer.GetAsync("nobody", CancellationToken.None));

        var vanishing = _server.Seed(Tenant("vanishing"));
        _server.Delete("tenants", null, "vanishing");
        Assert.Equal(StatusWrite.Gone, await _writer.WriteAsync(vanishing, new JsonObject { ["phase"] = "Active" }, CancellationToken.None));
    }

    private static JsonObject Tenant(string name) => new()
    {
        ["apiVersion"] = "tenant.gocoffee.dev/v1",
        ["kind"] = "Tenant",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["tenantId"] = name, ["tier"] = "basic", ["resources"] = new JsonObject { ["namespaces"] = 1, ["cpu"] = "1", ["memory"] = "1Gi", ["storage"] = "1Gi" } },
    };
}
