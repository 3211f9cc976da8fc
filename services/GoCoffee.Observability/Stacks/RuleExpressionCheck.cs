using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GoCoffee.Contracts.Observability;
using Microsoft.Extensions.Options;

namespace GoCoffee.Observability.Stacks;

/// <summary>The outcome of checking a stack's rules: field errors, or why the check itself could not run.</summary>
public sealed record RuleCheckOutcome(Dictionary<string, string[]> Errors, string? Unavailable);

/// <summary>
/// Checks the user's rule groups with Prometheus' own parser: <c>promtool check rules</c> on a temporary file (Debian's
/// <c>prometheus</c> package ships it). Each parse error comes back on the rule's <c>expr</c> field, in promtool's
/// words. When promtool is missing or fails to run, nothing is accepted: the outcome says the check is unavailable.
/// </summary>
public sealed partial class RuleExpressionCheck(IOptions<StacksOptions> options, ILogger<RuleExpressionCheck> logger)
{
    public async Task<RuleCheckOutcome> Check(IReadOnlyList<StackRuleGroup> groups, CancellationToken cancellationToken)
    {
        if (groups.Count == 0)
        {
            return new RuleCheckOutcome([], null);
        }

        var file = Path.Combine(Path.GetTempPath(), $"gocoffee-rules-{Guid.NewGuid():N}.json");
        try
        {
            // Groups are named by position so promtool's answer leads back to the field; JSON is YAML to promtool.
            await File.WriteAllTextAsync(file, RulesFile(groups).ToJsonString(), cancellationToken);
            var (exitCode, output) = await Run(options.Value.Promtool, ["check", "rules", file], options.Value.PromtoolTimeout, cancellationToken);
            if (exitCode == 0)
            {
                return new RuleCheckOutcome([], null);
            }

            var errors = new Dictionary<string, string[]>();
            foreach (Match match in Failure().Matches(output))
            {
                var group = int.Parse(match.Groups["group"].Value, System.Globalization.CultureInfo.InvariantCulture);
                var rule = int.Parse(match.Groups["rule"].Value, System.Globalization.CultureInfo.InvariantCulture) - 1;
                var message = match.Groups["message"].Value.Trim();
                var field = message.StartsWith("could not parse expression", StringComparison.Ordinal) ? "expr" : string.Empty;
                var path = $"spec.monitoring.rules[{group}].rules[{rule}]" + (field.Length > 0 ? "." + field : string.Empty);
                errors.TryAdd(path, [$"promtool: {message}"]);
            }

            if (errors.Count == 0)
            {
                errors["spec.monitoring.rules"] = [$"promtool refused the rules: {Clip(output)}"];
            }

            return new RuleCheckOutcome(errors, null);
        }
        catch (Win32Exception ex)
        {
            logger.LogError("promtool ({Promtool}) could not be started: {Reason}", options.Value.Promtool, ex.Message);
            return new RuleCheckOutcome([], $"the rule check needs promtool ('{options.Value.Promtool}'), which could not be started ({ex.Message}): install Prometheus' promtool or set Observability:Stacks:Promtool");
        }
        catch (TimeoutException)
        {
            return new RuleCheckOutcome([], $"promtool did not finish checking the rules within {options.Value.PromtoolTimeout.TotalSeconds:0} s");
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static JsonObject RulesFile(IReadOnlyList<StackRuleGroup> groups) => new()
    {
        ["groups"] = new JsonArray([.. groups.Select((group, i) => (JsonNode)new JsonObject
        {
            ["name"] = $"g{i}",
            ["rules"] = new JsonArray([.. (group.Rules ?? []).Select(rule =>
            {
                var json = new JsonObject();
                if (rule.Alert is not null)
                {
                    json["alert"] = rule.Alert;
                }

                if (rule.Record is not null)
                {
                    json["record"] = rule.Record;
                }

                json["expr"] = rule.Expr;
                if (rule.For is not null)
                {
                    json["for"] = rule.For;
                }

                return (JsonNode)json;
            })]),
        })]),
    };

    private static async Task<(int ExitCode, string Output)> Run(string program, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new Win32Exception($"{program} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException();
        }

        var output = new StringBuilder(await stdout).Append(await stderr).ToString();
        return (process.ExitCode, output);
    }

    private static string Clip(string value) => value.Length > 500 ? value[..500] + "…" : value;

    // promtool: `<file>: 5:11: group "g0", rule 1, "X": could not parse expression: 1:17: parse error: unclosed left parenthesis`
    [GeneratedRegex("""group "g(?<group>\d+)", rule (?<rule>\d+)(?:, "[^"\n]*")?: (?<message>[^\n]+)""", RegexOptions.CultureInvariant)]
    private static partial Regex Failure();
}
