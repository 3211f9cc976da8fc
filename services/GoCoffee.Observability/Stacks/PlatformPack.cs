using GoCoffee.Contracts.Observability;
using Microsoft.Extensions.Options;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace GoCoffee.Observability.Stacks;

/// <summary>
/// The platform's alert pack and dashboards, read from <see cref="StacksOptions.RulesDirectory"/> and
/// <see cref="StacksOptions.DashboardsDirectory"/> (by default infra/monitoring, copied next to the service). Read
/// once; a file that is not a rule file stops the service at start rather than shipping a stack without it.
/// </summary>
public sealed class PlatformPack
{
    private static readonly IDeserializer Reader = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).IgnoreUnmatchedProperties().Build();

    public PlatformPack(IOptions<StacksOptions> options)
    {
        var rules = options.Value.RulesDirectory;
        RuleGroups = Directory.Exists(rules)
            ? [.. Directory.EnumerateFiles(rules).Where(f => f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".yaml", StringComparison.Ordinal)).Order(StringComparer.Ordinal).SelectMany(Read)]
            : [];
        var dashboards = options.Value.DashboardsDirectory;
        Dashboards = Directory.Exists(dashboards)
            ? [.. Directory.EnumerateFiles(dashboards, "*.json").Order(StringComparer.Ordinal).Select(f => new PlatformDashboard(Path.GetFileNameWithoutExtension(f), File.ReadAllText(f)))]
            : [];
    }

    public IReadOnlyList<PlatformRuleGroup> RuleGroups { get; }

    public IReadOnlyList<PlatformDashboard> Dashboards { get; }

    private static IEnumerable<PlatformRuleGroup> Read(string path)
    {
        var file = Reader.Deserialize<RuleFile?>(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path}: no rule groups");
        if (file.Groups is null || file.Groups.Any(g => string.IsNullOrEmpty(g.Name) || g.Rules is null || g.Rules.Any(r => string.IsNullOrEmpty(r.Expr))))
        {
            throw new InvalidDataException($"{path}: every group needs a name and rules, every rule an expr");
        }

        return file.Groups.Select(g => new PlatformRuleGroup(g.Name!, g.Interval, [.. g.Rules!.Select(r => new StackRule
        {
            Alert = r.Alert,
            Record = r.Record,
            Expr = r.Expr,
            For = r.For,
            Labels = r.Labels,
            Annotations = r.Annotations,
        })]));
    }

    private sealed class RuleFile
    {
        public List<RuleFileGroup>? Groups { get; set; }
    }

    private sealed class RuleFileGroup
    {
        public string? Name { get; set; }

        public string? Interval { get; set; }

        public List<RuleFileRule>? Rules { get; set; }
    }

    private sealed class RuleFileRule
    {
        public string? Alert { get; set; }

        public string? Record { get; set; }

        public string? Expr { get; set; }

        public string? For { get; set; }

        public Dictionary<string, string>? Labels { get; set; }

        public Dictionary<string, string>? Annotations { get; set; }
    }
}
