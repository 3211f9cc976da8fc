using System.Diagnostics;
using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.Objects;
using GoCoffee.ClusterAgent.Targets;
using GoCoffee.ClusterAgent.Tenants;
using GoCoffee.Contracts.Tenants;
using GoCoffee.FakeKubernetes;
using GoCoffee.Resources;
using GoCoffee.Tenant.Planning;
using k8s;
using k8s.Models;
using MassTransit;
using Microsoft.Extensions.Logging.Abstractions;

namespace GoCoffee.Bench.Tenants;

/// <summary>
/// The same work without the platform's messaging: the tenant's Kubernetes objects applied straight to the fake API
/// server, and a bare broker round trip. The platform's times are reported as multiples of these.
/// </summary>
public sealed class Baselines(FakeKubernetesServer kubernetes) : IDisposable
{
    private const string FieldManager = "gocoffee-bench";

    private readonly Kubernetes _client = new(new KubernetesClientConfiguration { Host = kubernetes.BaseUri.ToString() });

    /// <summary>The objects the cluster-agent applies for a tenant of this shape, in its order (the agent's own code builds them).</summary>
    public static IReadOnlyList<JsonObject> Manifests(TenantShape shape, string tenantId)
    {
        var (resource, error) = ResourceDocument.Read<TenantResource>(shape.Yaml(tenantId), yaml: true);
        if (error is not null || resource?.Spec is null)
        {
            throw new InvalidOperationException($"The {shape.Name} document does not read: {error?.Field} {error?.Message}");
        }

        return TenantObjects.For(TenantPlanner.Plan(resource.Spec), new TenantNetworkOptions()).Select(Manifest.From).ToList();
    }

    /// <summary>Server-side apply of every object, one request each, in order: the least any client could do.</summary>
    public async Task<double> ApplyRaw(IReadOnlyList<JsonObject> manifests, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        foreach (var manifest in manifests)
        {
            var reference = manifest.Reference();
            var resource = KnownResources.For(ObjectKind.Of(reference), reference.Namespace is not null);
            var patch = new V1Patch(manifest.ToJsonString(), V1Patch.PatchType.ApplyPatch);
            if (reference.Namespace is null)
            {
                await _client.CustomObjects.PatchClusterCustomObjectAsync(
                    patch, resource.Kind.Group, resource.Kind.Version, resource.Plural, reference.Name, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken);
            }
            else
            {
                await _client.CustomObjects.PatchNamespacedCustomObjectAsync(
                    patch, resource.Kind.Group, resource.Kind.Version, reference.Namespace, resource.Plural, reference.Name, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken);
            }
        }

        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>
    /// What the agent's consumer does against the cluster, through the agent's own <see cref="KubernetesApiTarget"/>:
    /// per object a read then an apply, then the list of the tenant's namespaces. No bus, no database.
    /// </summary>
    public async Task<double> ApplyAsAgent(IReadOnlyList<JsonObject> manifests, string tenantId, CancellationToken cancellationToken)
    {
        var target = new KubernetesApiTarget(_client, new KubernetesRequestOptions(), NullLogger<KubernetesApiTarget>.Instance);
        var clock = Stopwatch.StartNew();
        foreach (var manifest in manifests)
        {
            await target.ApplyAsync(manifest, cancellationToken);
        }

        await target.ListAsync(ObjectKind.Namespace, @namespace: null, PlatformLabels.ForTenant(tenantId), cancellationToken);
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>Many tenants' objects the agent's way, <paramref name="parallelism"/> tenants at a time (the agent's concurrent message limit).</summary>
    public async Task<double> ApplyManyAsAgent(TenantShape shape, IReadOnlyList<string> tenantIds, int parallelism, CancellationToken cancellationToken)
    {
        var work = tenantIds.Select(id => (Id: id, Manifests: Manifests(shape, id))).ToList();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(
            work,
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (tenant, token) => await ApplyAsAgent(tenant.Manifests, tenant.Id, token));
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>
    /// A message published on a bare MassTransit bus (same broker, same virtual host, the platform's prefetch) and
    /// consumed by it: one broker hop with no outbox, inbox or database. Onboarding takes three such hops.
    /// </summary>
    public static async Task<IReadOnlyList<double>> BrokerRoundTrips(Uri virtualHost, int count, int prefetch, CancellationToken cancellationToken)
    {
        var arrived = new System.Collections.Concurrent.ConcurrentDictionary<Guid, TaskCompletionSource>();
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            var credentials = Uri.UnescapeDataString(virtualHost.UserInfo).Split(':', 2);
            rabbit.Host(virtualHost, host =>
            {
                host.Username(credentials[0]);
                host.Password(credentials[1]);
            });
            rabbit.PrefetchCount = prefetch;
            rabbit.ReceiveEndpoint("bench-broker-round-trip", endpoint => endpoint.Handler<BenchPing>(context =>
            {
                if (arrived.TryGetValue(context.Message.Id, out var done))
                {
                    done.TrySetResult();
                }

                return Task.CompletedTask;
            }));
        });

        await bus.StartAsync(cancellationToken);
        try
        {
            var times = new List<double>();
            for (var i = 0; i < count; i++)
            {
                var id = Guid.NewGuid();
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                arrived[id] = done;
                var clock = Stopwatch.StartNew();
                await bus.Publish(new BenchPing(id), cancellationToken);
                await done.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
                times.Add(clock.Elapsed.TotalMilliseconds);
            }

            return times;
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }
    }

    public void Dispose() => _client.Dispose();
}

public sealed record BenchPing(Guid Id);
