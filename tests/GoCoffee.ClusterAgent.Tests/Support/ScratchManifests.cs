using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.Objects;
using GoCoffee.ClusterAgent.Targets;
using GoCoffee.ClusterAgent.Tenants;
using GoCoffee.ClusterAgent.Tests.Tenants;
using Microsoft.Extensions.Logging.Abstractions;

namespace GoCoffee.ClusterAgent.Tests.Support;

/// <summary>A manifests-folder target in a temporary folder of its own, removed afterwards.</summary>
public sealed class ScratchManifests : IDisposable
{
    public ScratchManifests() => Target = new ManifestsFolderTarget(Root, NullLogger<ManifestsFolderTarget>.Instance);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"gocoffee-manifests-{Guid.NewGuid():N}");

    public ManifestsFolderTarget Target { get; }

    public static List<JsonObject> TenantManifests(string tenantId = SeedTenants.EnterpriseId, int namespaces = 5) =>
        TenantObjects.For(SeedTenants.Enterprise(tenantId, namespaces), new TenantNetworkOptions()).Select(Manifest.From).ToList();

    public static JsonObject Workload(string kind, string ns, string name, int? replicas, IReadOnlyDictionary<string, string>? labels = null)
    {
        var spec = new JsonObject { ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } } };
        if (replicas is { } count)
        {
            spec["replicas"] = count;
        }

        var metadata = new JsonObject { ["name"] = name, ["namespace"] = ns };
        if (labels is not null)
        {
            metadata["labels"] = new JsonObject(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)));
        }

        spec["template"] = new JsonObject
        {
            ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = name } },
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "registry.example/coffee:1" }) },
        };
        return new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = kind, ["metadata"] = metadata, ["spec"] = spec };
    }

    public void Dispose()
    {
        Target.Dispose();
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
