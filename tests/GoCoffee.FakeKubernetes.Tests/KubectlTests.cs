using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes.Tests;

/// <summary>The real kubectl binary (on PATH on the project's machines) against the fake.</summary>
public sealed class KubectlTests : FakeClusterTest, IDisposable
{
    private Kubectl? _kubectl;

    private Kubectl Kubectl => _kubectl ??= new Kubectl(Server);

    protected override void Configure(FakeKubernetesOptions options) =>
        options.AddCustomResource("tenant.gocoffee.dev", "v1", "Tenant", "tenants", namespaced: false);

    [Fact]
    public async Task Kubectl_apply_then_get()
    {
        var manifest = Path.Combine(Kubectl.Home, "tenant.yaml");
        await File.WriteAllTextAsync(manifest, """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: tenant-acme
              labels:
                gocoffee.dev/tenant: acme
            ---
            apiVersion: v1
            kind: ResourceQuota
            metadata:
              name: compute
              namespace: tenant-acme
            spec:
              hard:
                cpu: "2"
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: orders
              namespace: tenant-acme
            spec:
              replicas: 2
              selector:
                matchLabels: {app: orders}
              template:
                metadata:
                  labels: {app: orders}
                spec:
                  containers:
                  - name: orders
                    image: gocoffee/orders:1
            ---
            apiVersion: tenant.gocoffee.dev/v1
            kind: Tenant
            metadata:
              name: acme
            spec:
              plan: gold
            """);

        var applied = await Kubectl.RunAsync("apply", "-f", manifest, "--validate=false");
        Assert.Contains("namespace/tenant-acme created", applied, StringComparison.Ordinal);
        Assert.Contains("deployment.apps/orders created", applied, StringComparison.Ordinal);
        Assert.Contains("tenant.tenant.gocoffee.dev/acme created", applied, StringComparison.Ordinal);

        // A changed manifest: client-side apply computes a strategic merge patch (and validation is left on).
        await File.WriteAllTextAsync(manifest, (await File.ReadAllTextAsync(manifest)).Replace("replicas: 2", "replicas: 4", StringComparison.Ordinal));
        var reapplied = await Kubectl.RunAsync("apply", "-f", manifest);
        Assert.Contains("deployment.apps/orders configured", reapplied, StringComparison.Ordinal);
        Assert.Contains("namespace/tenant-acme unchanged", reapplied, StringComparison.Ordinal);

        // Server-side apply over what client-side apply made (kubectl migrates the managedFields first).
        var serverSide = await Kubectl.RunAsync("apply", "--server-side", "-f", manifest);
        Assert.Contains("deployment.apps/orders serverside-applied", serverSide, StringComparison.Ordinal);
        var managers = Server.Get("apps", "deployments", "tenant-acme", "orders")!["metadata"]!["managedFields"]!.AsArray()
            .Select(m => $"{m!["manager"]}/{m["operation"]}");
        Assert.Contains("kubectl/Apply", managers);

        var namespaces = JsonNode.Parse(await Kubectl.RunAsync("get", "ns", "-o", "json"))!;
        var acme = namespaces["items"]!.AsArray().Single(n => n!["metadata"]!["name"]!.GetValue<string>() == "tenant-acme")!;
        Assert.Equal("acme", acme["metadata"]!["labels"]!["gocoffee.dev/tenant"]!.GetValue<string>());

        Assert.Equal("4", await Kubectl.RunAsync("get", "deployment", "orders", "-n", "tenant-acme", "-o", "jsonpath={.spec.replicas}"));
        Assert.Contains("tenant-acme", await Kubectl.RunAsync("get", "ns"), StringComparison.Ordinal);

        await Kubectl.RunAsync("delete", "ns", "tenant-acme");
        Assert.Null(Server.Get("apps", "deployments", "tenant-acme", "orders"));
    }

    public void Dispose() => _kubectl?.Dispose();
}
