using System.Text.RegularExpressions;

namespace GoCoffee.Testing;

/// <summary>
/// The seed document's YAML examples, verbatim: read from the seed itself (shared/seed/go-coffee-phase2.md) so the
/// tests break if the platform stops accepting what the seed promises. Test projects copy the seed into their output
/// (<c>seed/go-coffee-phase2.md</c>); otherwise it is looked for in a <c>shared/seed</c> folder beside the repository.
/// </summary>
public static partial class SeedDocuments
{
    public static string EnterpriseTenantYaml => Example("kind: Tenant");

    private static string Example(string marker)
    {
        var seed = File.ReadAllText(Locate());
        foreach (Match block in YamlBlock().Matches(seed))
        {
            if (block.Groups[1].Value.Contains(marker, StringComparison.Ordinal))
            {
                return block.Groups[1].Value;
            }
        }

        throw new InvalidOperationException($"The seed has no YAML example with '{marker}'.");
    }

    private static string Locate()
    {
        var local = Path.Combine(AppContext.BaseDirectory, "seed", "go-coffee-phase2.md");
        if (File.Exists(local))
        {
            return local;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "seed", "go-coffee-phase2.md");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("shared/seed/go-coffee-phase2.md not found beside the repository.");
    }

    [GeneratedRegex("```yaml\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
