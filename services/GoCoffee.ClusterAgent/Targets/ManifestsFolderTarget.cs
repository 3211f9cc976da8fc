using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GoCoffee.ClusterAgent.Objects;
using GoCoffee.Contracts;
using YamlDotNet.Core;

namespace GoCoffee.ClusterAgent.Targets;

/// <summary>
/// The target when there is no cluster: one YAML file per object, <c>&lt;namespace&gt;/&lt;kind&gt;-&lt;name&gt;.yaml</c>
/// (cluster-scoped objects under <c>_cluster/</c>, which sorts before every namespace, so
/// <c>kubectl apply -R -f</c> creates namespaces first). It behaves like the API server where the platform relies on
/// it: identical content leaves the file untouched, only the platform's objects are removed, and removing a namespace
/// removes what is in it.
/// </summary>
public sealed partial class ManifestsFolderTarget(string root, ILogger<ManifestsFolderTarget> logger) : IClusterTarget, IDisposable
{
    public const string ClusterScopedFolder = "_cluster";

    // One writer at a time: scaling reads, changes and rewrites a file, and nothing here needs throughput.
    private readonly SemaphoreSlim _writing = new(1, 1);

    public string Root { get; } = Path.GetFullPath(root);

    public async Task<ApplyOutcome> ApplyAsync(JsonObject manifest, CancellationToken cancellationToken = default)
    {
        var reference = manifest.Reference();
        var path = PathOf(reference);
        var yaml = ManifestYaml.Write(manifest);

        await _writing.WaitAsync(cancellationToken);
        try
        {
            if (File.Exists(path))
            {
                manifest.EnsureNotAdopting(await Read(reference, path, cancellationToken));
                if (await File.ReadAllTextAsync(path, cancellationToken) == yaml)
                {
                    return ApplyOutcome.Unchanged;
                }

                await Write(path, yaml, cancellationToken);
                return ApplyOutcome.Configured;
            }

            await Write(path, yaml, cancellationToken);
            return ApplyOutcome.Created;
        }
        finally
        {
            _writing.Release();
        }
    }

    public async Task<JsonObject?> GetAsync(ClusterObjectRef reference, CancellationToken cancellationToken = default) =>
        TryPathOf(reference, out var path, out _) && File.Exists(path) ? await Read(reference, path, cancellationToken) : null;

    public async Task<IReadOnlyList<JsonObject>> ListAsync(ObjectKind kind, string? @namespace, IReadOnlyDictionary<string, string>? labels, CancellationToken cancellationToken = default)
    {
        if (!KindName().IsMatch(kind.Kind))
        {
            return [];
        }

        var pattern = $"{kind.Kind.ToLowerInvariant()}-*.yaml";
        var found = new List<JsonObject>();
        foreach (var manifest in await ReadAll(@namespace, pattern, cancellationToken))
        {
            if (manifest.Kind() == kind && manifest.HasLabels(labels))
            {
                found.Add(manifest);
            }
        }

        return found;
    }

    public async Task<IReadOnlyList<JsonObject>> ListManagedAsync(string tenantId, CancellationToken cancellationToken = default) =>
        (await ReadAll(@namespace: null, "*.yaml", cancellationToken)).Where(manifest => manifest.IsManagedFor(tenantId)).ToList();

    public async Task<DeleteOutcome> DeleteAsync(ClusterObjectRef reference, string tenantId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        if (!TryPathOf(reference, out var path, out _))
        {
            return DeleteOutcome.NotFound;
        }

        await _writing.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(path))
            {
                return DeleteOutcome.NotFound;
            }

            if (!(await Read(reference, path, cancellationToken)).IsManagedFor(tenantId))
            {
                return DeleteOutcome.NotManaged;
            }

            File.Delete(path);
            if (ObjectKind.Of(reference) == ObjectKind.Namespace)
            {
                var contents = Path.Combine(Root, reference.Name);
                if (Directory.Exists(contents))
                {
                    Directory.Delete(contents, recursive: true);
                }
            }

            return DeleteOutcome.Deleted;
        }
        finally
        {
            _writing.Release();
        }
    }

    public async Task<JsonObject?> ScaleAsync(ClusterObjectRef workload, int replicas, IReadOnlyDictionary<string, string?> annotations, CancellationToken cancellationToken = default)
    {
        if (!TryPathOf(workload, out var path, out _))
        {
            return null;
        }

        await _writing.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            var manifest = await Read(workload, path, cancellationToken);
            var spec = manifest["spec"] as JsonObject ?? [];
            spec["replicas"] = replicas;
            manifest["spec"] = spec;

            var metadata = manifest["metadata"]!.AsObject();
            var stored = metadata["annotations"] as JsonObject ?? [];
            foreach (var (key, value) in annotations)
            {
                if (value is null)
                {
                    stored.Remove(key);
                }
                else
                {
                    stored[key] = value;
                }
            }

            metadata["annotations"] = stored.Count > 0 ? stored : null;
            await Write(path, ManifestYaml.Write(manifest), cancellationToken);
            return manifest;
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>
    /// Names and namespaces are checked as the API server would, which also keeps every path inside the folder: an
    /// invalid one is refused on apply (422) and, since no such object can exist, simply not found otherwise.
    /// </summary>
    private string PathOf(ClusterObjectRef reference) =>
        TryPathOf(reference, out var path, out var invalid) ? path : throw new ClusterRequestFailedException(reference, 422, invalid, transient: false);

    private bool TryPathOf(ClusterObjectRef reference, out string path, out string invalid)
    {
        path = string.Empty;
        invalid = string.Empty;
        if (!ObjectName().IsMatch(reference.Name))
        {
            invalid = $"metadata.name: Invalid value: \"{reference.Name}\": must be a lowercase RFC 1123 subdomain";
            return false;
        }

        if (reference.Namespace is { } ns && !NamespaceName().IsMatch(ns))
        {
            invalid = $"metadata.namespace: Invalid value: \"{ns}\": must be a lowercase RFC 1123 label";
            return false;
        }

        if (!KindName().IsMatch(reference.Kind))
        {
            invalid = $"kind: Invalid value: \"{reference.Kind}\": must be letters and digits, starting with a letter";
            return false;
        }

        path = Path.GetFullPath(Path.Combine(Root, reference.Namespace ?? ClusterScopedFolder, $"{reference.Kind.ToLowerInvariant()}-{reference.Name}.yaml"));

        // The checks above already keep every path in the folder; this makes sure of it whatever they miss.
        if (!path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            invalid = $"{reference} would be written outside the manifests folder";
            path = string.Empty;
            return false;
        }

        return true;
    }

    private static async Task Write(string path, string yaml, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        // Written beside and renamed over, so a reader (kubectl, Argo CD, a test) never sees half a file.
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllTextAsync(temporary, yaml, cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    private static async Task<JsonObject> Read(ClusterObjectRef reference, string path, CancellationToken cancellationToken)
    {
        try
        {
            return ManifestYaml.Read(await File.ReadAllTextAsync(path, cancellationToken));
        }
        catch (Exception ex) when (ex is YamlException or JsonException or InvalidOperationException)
        {
            throw new ClusterRequestFailedException(reference, 500, $"{path} is not a readable manifest: {ex.Message}", transient: false, ex);
        }
    }

    private async Task<List<JsonObject>> ReadAll(string? @namespace, string pattern, CancellationToken cancellationToken)
    {
        if (@namespace is not null && !NamespaceName().IsMatch(@namespace))
        {
            return [];
        }

        var folder = @namespace is null ? Root : Path.Combine(Root, @namespace);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var manifests = new List<JsonObject>();
        var files = Directory.EnumerateFiles(folder, pattern, @namespace is null ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly);
        foreach (var file in files.Order(StringComparer.Ordinal))
        {
            try
            {
                manifests.Add(ManifestYaml.Read(await File.ReadAllTextAsync(file, cancellationToken)));
            }
            catch (Exception ex) when (ex is YamlException or JsonException or InvalidOperationException or FileNotFoundException)
            {
                // A file someone edited by hand, or one removed while listing, is not the platform's to act on.
                logger.LogWarning("Skipping {ManifestFile}: {Error}", file, ex.Message);
            }
        }

        return manifests;
    }

    public void Dispose() => _writing.Dispose();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")]
    private static partial Regex ObjectName();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex NamespaceName();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{0,62}$")]
    private static partial Regex KindName();
}
