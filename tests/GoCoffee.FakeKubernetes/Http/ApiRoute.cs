namespace GoCoffee.FakeKubernetes;

/// <summary>What a URL path addresses.</summary>
internal abstract record Route
{
    public sealed record Version : Route;
    public sealed record CoreVersions : Route;
    public sealed record CoreResources : Route;
    public sealed record Groups : Route;
    public sealed record Group(string Name) : Route;
    public sealed record GroupResources(string Name, string ApiVersion) : Route;
    public sealed record Health : Route;
    public sealed record OpenApiIndex : Route;
    public sealed record OpenApiGroupVersion(string Path) : Route;
    public sealed record NotFound(bool ApiPath) : Route;

    /// <summary>
    /// A resource path: a collection when <see cref="Name"/> is null (all namespaces when a namespaced resource has no
    /// <see cref="Namespace"/>), an object otherwise, optionally a subresource of it.
    /// </summary>
    public sealed record Resource(ResourceDefinition Definition, string? Namespace, string? Name, string? Subresource, bool LegacyWatch) : Route;

    public static Route Parse(string path, ResourceRegistry registry)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        return segments switch
        {
            ["version"] => new Version(),
            ["healthz" or "livez" or "readyz", ..] => new Health(),
            ["openapi", "v3"] => new OpenApiIndex(),
            ["openapi", "v3", .. var groupVersion] => new OpenApiGroupVersion(string.Join('/', groupVersion)),
            ["api"] => new CoreVersions(),
            ["api", "v1"] => new CoreResources(),
            ["api", "v1", .. var rest] => ParseResource("", "v1", rest, registry),
            ["apis"] => new Groups(),
            ["apis", var group] => new Group(group),
            ["apis", var group, var version] => new GroupResources(group, version),
            ["apis", var group, var version, .. var rest] => ParseResource(group, version, rest, registry),
            _ => new NotFound(ApiPath: false),
        };
    }

    private static Route ParseResource(string group, string version, string[] rest, ResourceRegistry registry)
    {
        var legacyWatch = rest is ["watch", ..];
        if (legacyWatch) rest = rest[1..];

        if (rest is ["namespaces", var ns, var plural, ..] && registry.Find(group, version, plural) is { Namespaced: true } namespaced)
        {
            return rest.Length <= 5 ? Build(namespaced, ns, rest.ElementAtOrDefault(3), rest.ElementAtOrDefault(4), legacyWatch) : new NotFound(true);
        }
        if (rest.Length is 0 or > 3 || registry.Find(group, version, rest[0]) is not { } resource) return new NotFound(true);
        if (resource.Namespaced && rest.Length > 1) return new NotFound(true);
        return Build(resource, null, rest.ElementAtOrDefault(1), rest.ElementAtOrDefault(2), legacyWatch);
    }

    private static Route Build(ResourceDefinition resource, string? ns, string? name, string? subresource, bool legacyWatch)
    {
        var known = subresource switch
        {
            null => true,
            "status" => resource.HasStatus,
            "scale" => resource.Scale is not null,
            _ => false,
        };
        return known ? new Resource(resource, ns, name, subresource, legacyWatch) : new NotFound(true);
    }
}
