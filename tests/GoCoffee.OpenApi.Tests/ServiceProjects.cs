using System.Text.RegularExpressions;

namespace GoCoffee.OpenApi.Tests;

/// <summary>A process of the platform that serves an OpenAPI document: a web project built on the service defaults.</summary>
/// <param name="Name">The name it identifies itself with (its <c>ServiceIdentity</c>), e.g. <c>tenant</c>.</param>
/// <param name="RoutePrefix">Where its API and its document (<c>{prefix}/openapi/v1.json</c>) live.</param>
/// <param name="Project">The project folder, relative to the repository root, e.g. <c>services/GoCoffee.Tenant</c>.</param>
public sealed record ServiceProject(string Name, string RoutePrefix, string Project)
{
    public string AssemblyName => Path.GetFileName(Project);

    public string DocumentPath => $"{RoutePrefix}/openapi/v1.json";

    public override string ToString() => Name;
}

/// <summary>
/// Every such project, found in the repository rather than listed: each folder under <c>services/</c> and
/// <c>gateway/</c> whose project is a web app (<c>Microsoft.NET.Sdk.Web</c>) referencing GoCoffee.ServiceDefaults. A new
/// service is checked without anyone adding it here (and fails until this test project references it, so it is built).
/// </summary>
public static partial class ServiceProjects
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static IReadOnlyList<ServiceProject> All { get; } = Discover();

    public static TheoryData<string> Names => [.. All.Select(project => project.Name)];

    public static ServiceProject Named(string name) => All.Single(project => project.Name == name);

    private static List<ServiceProject> Discover()
    {
        var found = new List<ServiceProject>();
        foreach (var folder in new[] { "services", "gateway" }.SelectMany(top => Directory.GetDirectories(Path.Combine(RepositoryRoot, top))).Order(StringComparer.Ordinal))
        {
            var csproj = Path.Combine(folder, Path.GetFileName(folder) + ".csproj");
            if (!File.Exists(csproj))
            {
                continue;
            }

            var text = File.ReadAllText(csproj);
            if (!text.Contains("Sdk=\"Microsoft.NET.Sdk.Web\"", StringComparison.Ordinal) || !text.Contains("GoCoffee.ServiceDefaults.csproj", StringComparison.Ordinal))
            {
                continue;
            }

            var identities = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
                .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                               && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                .SelectMany(file => Identity().Matches(File.ReadAllText(file)))
                .Select(match => (Name: match.Groups[1].Value, Prefix: match.Groups[2].Value))
                .Distinct()
                .ToList();
            var relative = Path.GetRelativePath(RepositoryRoot, folder).Replace(Path.DirectorySeparatorChar, '/');
            if (identities.Count != 1)
            {
                throw new InvalidOperationException($"{relative}: expected one `ServiceIdentity Identity = new(\"name\", \"/prefix\")`, found {identities.Count}.");
            }

            found.Add(new ServiceProject(identities[0].Name, identities[0].Prefix, relative));
        }

        return found;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GoCoffee.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No GoCoffee.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex("ServiceIdentity\\s+Identity\\s*=\\s*new(?:\\s+ServiceIdentity)?\\(\\s*\"([^\"]+)\"\\s*,\\s*\"([^\"]+)\"\\s*\\)")]
    private static partial Regex Identity();
}
