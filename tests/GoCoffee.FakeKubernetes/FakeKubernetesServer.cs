using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GoCoffee.FakeKubernetes;

/// <summary>
/// An in-process fake Kubernetes API server on <c>http://127.0.0.1:{random port}</c> speaking the real REST protocol,
/// so the official KubernetesClient and kubectl work against it. Start one per test (or per class):
/// <code>
/// await using var server = await FakeKubernetesServer.StartAsync();
/// var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseUri.ToString() });
/// </code>
/// Besides the protocol it offers test controls: injected failures and delays, closing watches, compaction (410),
/// direct inspection and seeding of objects, and a request log.
/// </summary>
public sealed partial class FakeKubernetesServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ResourceRegistry _registry;
    private readonly ObjectStore _store;
    private readonly ResourceOperations _operations;
    private readonly RequestControls _controls;
    private readonly FakeKubernetesOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;

    private FakeKubernetesServer(WebApplication app, FakeKubernetesOptions options, ResourceRegistry registry, ObjectStore store, RequestControls controls)
    {
        _app = app;
        _options = options;
        _registry = registry;
        _store = store;
        _controls = controls;
        _operations = new ResourceOperations(store, registry, options);
        BaseUri = new Uri("http://127.0.0.1/");
    }

    /// <summary>The server's address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUri { get; private set; }

    /// <summary>Starts a server on 127.0.0.1 and a free port.</summary>
    public static async Task<FakeKubernetesServer> StartAsync(Action<FakeKubernetesOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var options = new FakeKubernetesOptions();
        configure?.Invoke(options);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, QuietLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
        });
        var app = builder.Build();

        var registry = new ResourceRegistry(options.Resources);
        var store = new ObjectStore(options.WatchHistoryLimit);
        var controls = new RequestControls(options.RequestLogLimit);
        var server = new FakeKubernetesServer(app, options, registry, store, controls);
        var handler = new KubeApiHandler(registry, server._operations, controls, new WatchStream(store, options), options, server._stopping.Token);
        app.Run(handler.HandleAsync);

        foreach (var ns in options.InitialNamespaces) server.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } });

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUri = new Uri(address.EndsWith('/') ? address : address + "/");
        return server;
    }

    /// <summary>The current (latest) resourceVersion, as lists report it.</summary>
    public string ResourceVersion => _store.ResourceVersion.ToString(CultureInfo.InvariantCulture);

    /// <summary>The resources served now (built-ins, registered, and those of stored CRDs).</summary>
    public IReadOnlyList<ResourceDefinition> Resources => _registry.All;

    /// <summary>Serves another resource from now on (discovery included).</summary>
    public ResourceDefinition AddResource(ResourceDefinition resource) => _registry.Add(resource);

    /// <summary>Serves a custom resource, e.g. <c>AddCustomResource("ai.gocoffee.dev", "v1", "AiWorkload", "aiworkloads")</c>.</summary>
    public ResourceDefinition AddCustomResource(
        string group, string version, string kind, string plural, bool namespaced = true, bool status = true, params string[] shortNames) =>
        _registry.Add(ResourceDefinition.Custom(group, version, kind, plural, namespaced, status, shortNames));

    /// <summary>A kubeconfig pointing at this server (for kubectl or programs reading <c>KUBECONFIG</c>).</summary>
    public string Kubeconfig(string defaultNamespace = "default") => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: fake
          cluster:
            server: {BaseUri.ToString().TrimEnd('/')}
        users:
        - name: fake
          user:
            token: fake
        contexts:
        - name: fake
          context:
            cluster: fake
            user: fake
            namespace: {defaultNamespace}
        current-context: fake
        """;

    /// <summary>Stops the server (open watches end, delayed requests are cut short). Safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stopping.CancelAsync();
        _store.CloseWatches();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Connections still open after the grace period are cut.
        }
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    /// <summary>No console lifetime: a test host is not stopped by Ctrl+C or SIGTERM handlers of its own.</summary>
    private sealed class QuietLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
