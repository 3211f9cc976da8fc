using System.Diagnostics;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace GoCoffee.Monitoring.Tests;

/// <summary>The platform pack in <c>infra/monitoring</c>: rule files, promtool unit tests, Alertmanager configuration, dashboards.</summary>
public static class MonitoringPack
{
    public static readonly string Root = Path.Combine(RepositoryRoot(), "infra", "monitoring");

    public static IReadOnlyList<string> RuleFiles => [.. Directory.GetFiles(Path.Combine(Root, "rules"), "*.yml").Order(StringComparer.Ordinal)];

    public static IReadOnlyList<string> UnitTestFiles => [.. Directory.GetFiles(Path.Combine(Root, "tests"), "*.test.yml").Order(StringComparer.Ordinal)];

    public static IReadOnlyList<string> DashboardFiles => [.. Directory.GetFiles(Path.Combine(Root, "dashboards"), "*.json").Order(StringComparer.Ordinal)];

    public static string AlertmanagerConfig => Path.Combine(Root, "alertmanager", "alertmanager.yml");

    /// <summary>Every alerting rule of the pack: its name, expression, labels and annotations.</summary>
    public static IReadOnlyList<AlertRule> Alerts =>
    [
        .. RuleFiles.SelectMany(file =>
        {
            var yaml = Load(file);
            return ((YamlSequenceNode)yaml["groups"]).Cast<YamlMappingNode>()
                .SelectMany(group => ((YamlSequenceNode)group["rules"]).Cast<YamlMappingNode>())
                .Where(rule => rule.Children.ContainsKey("alert"))
                .Select(rule => new AlertRule(
                    Path.GetFileName(file),
                    rule["alert"].ToString(),
                    rule["expr"].ToString(),
                    Strings(rule, "labels"),
                    Strings(rule, "annotations")));
        }),
    ];

    /// <summary>Every panel query of every dashboard: dashboard file, panel title, expression.</summary>
    public static IReadOnlyList<(string Dashboard, string Panel, string Expr)> PanelQueries =>
    [
        .. DashboardFiles.SelectMany(file =>
        {
            var dashboard = JsonNode.Parse(File.ReadAllText(file))!;
            return Panels(dashboard["panels"]!.AsArray())
                .SelectMany(panel => (panel["targets"]?.AsArray() ?? []).Select(target => (Path.GetFileName(file), panel["title"]!.GetValue<string>(), target!["expr"]!.GetValue<string>())));
        }),
    ];

    public static IEnumerable<JsonNode> Panels(JsonArray panels) =>
        panels.Select(panel => panel!).SelectMany(panel => panel["panels"] is JsonArray nested ? [panel, .. Panels(nested)] : new[] { panel });

    public static YamlMappingNode Load(string file)
    {
        var stream = new YamlStream();
        using var reader = File.OpenText(file);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    /// <summary>Runs a tool of Debian's prometheus / prometheus-alertmanager packages (scripts/tools.sh installs them).</summary>
    public static async Task<(int ExitCode, string Output)> Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{tool} is not installed: run scripts/tools.sh (apt-get install prometheus prometheus-alertmanager).", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout + await stderr);
        }
    }

    private static Dictionary<string, string> Strings(YamlMappingNode rule, string key) =>
        rule.Children.TryGetValue(key, out var node) && node is YamlMappingNode map
            ? map.Children.ToDictionary(entry => entry.Key.ToString(), entry => entry.Value.ToString(), StringComparer.Ordinal)
            : [];

    private static string RepositoryRoot()
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
}

public sealed record AlertRule(string File, string Name, string Expr, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations);
