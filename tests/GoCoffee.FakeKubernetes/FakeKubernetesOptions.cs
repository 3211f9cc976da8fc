namespace GoCoffee.FakeKubernetes;

/// <summary>How a <see cref="FakeKubernetesServer"/> starts.</summary>
public sealed class FakeKubernetesOptions
{
    private readonly List<ResourceDefinition> _resources = [.. BuiltInResources.All];

    /// <summary>The resources served at start: the built-ins plus whatever <see cref="AddResource"/> added.</summary>
    public IReadOnlyList<ResourceDefinition> Resources => _resources;

    /// <summary>Namespaces that exist from the start, as in a fresh cluster.</summary>
    public IList<string> InitialNamespaces { get; } = ["default", "kube-system", "kube-public", "kube-node-lease"];

    /// <summary>Creating a namespaced object in a namespace that does not exist answers 404 (the real NamespaceLifecycle admission).</summary>
    public bool RequireNamespaces { get; set; } = true;

    /// <summary>How many changes watches can replay before the oldest half is compacted away (410 for older versions).</summary>
    public int WatchHistoryLimit { get; set; } = 100_000;

    /// <summary>How many requests <see cref="FakeKubernetesServer.Requests"/> keeps (the oldest are dropped).</summary>
    public int RequestLogLimit { get; set; } = 10_000;

    /// <summary>Also send a BOOKMARK this often on watches that allow bookmarks (one is always sent when a watch times out).</summary>
    public TimeSpan? WatchBookmarkInterval { get; set; }

    /// <summary>The <c>/version</c> reported (major.minor; kubectl warns beyond one minor of skew).</summary>
    public string KubernetesVersion { get; set; } = "1.32";

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Serves another resource, e.g. <c>ResourceDefinition.Custom("tenant.gocoffee.dev", "v1", "Tenant", "tenants", namespaced: false)</c>.</summary>
    public FakeKubernetesOptions AddResource(ResourceDefinition resource)
    {
        _resources.RemoveAll(r => r.Group == resource.Group && r.Version == resource.Version && r.Plural == resource.Plural);
        _resources.Add(resource);
        return this;
    }

    public FakeKubernetesOptions AddCustomResource(
        string group, string version, string kind, string plural, bool namespaced = true, bool status = true, params string[] shortNames) =>
        AddResource(ResourceDefinition.Custom(group, version, kind, plural, namespaced, status, shortNames));
}
