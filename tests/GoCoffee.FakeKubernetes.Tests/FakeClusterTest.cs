using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GoCoffee.FakeKubernetes.Tests;

/// <summary>A fresh fake API server per test, with the official client pointed at it.</summary>
public abstract class FakeClusterTest : IAsyncLifetime
{
    protected FakeKubernetesServer Server { get; private set; } = null!;
    protected Kubernetes Client { get; private set; } = null!;

    /// <summary>A token that ends a hung test instead of the whole run.</summary>
    protected static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    protected virtual void Configure(FakeKubernetesOptions options)
    {
    }

    public async Task InitializeAsync()
    {
        Server = await FakeKubernetesServer.StartAsync(Configure);
        Client = new Kubernetes(new KubernetesClientConfiguration { Host = Server.BaseUri.ToString() });
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }

    /// <summary>The Status body the server answered with.</summary>
    protected static V1Status StatusOf(HttpOperationException exception) =>
        KubernetesJson.Deserialize<V1Status>(exception.Response.Content);

    protected Task<V1Namespace> CreateNamespaceAsync(string name, IDictionary<string, string>? labels = null) =>
        Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name, Labels = labels } });

    protected static V1ResourceQuota Quota(string name, string cpu) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1ResourceQuotaSpec { Hard = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu) } },
    };
}
