using System.Diagnostics;
using System.Text.Json;

namespace GoCoffee.OpenApi.Tests;

/// <summary>What the linter found: its totals and each problem's rule, severity and place.</summary>
public sealed record LintResult(int ExitCode, int Errors, int Warnings, IReadOnlyList<LintProblem> Problems, string Output)
{
    public override string ToString() =>
        $"redocly exited {ExitCode}: {Errors} error(s), {Warnings} warning(s){Environment.NewLine}"
        + string.Join(Environment.NewLine, Problems.Select(problem => $"  {problem}"));
}

public sealed record LintProblem(string RuleId, string Severity, string Message, string Location)
{
    public override string ToString() => $"{Severity} {RuleId} at {Location}: {Message}";
}

/// <summary>
/// The real npm tools, pinned in <c>tests/openapi-tools/package-lock.json</c> and installed by <c>scripts/test.sh</c>
/// (<c>npm ci</c>): <c>@redocly/cli</c> lints, <c>openapi-typescript</c> generates a typed client. Missing tools fail the
/// tests; they are never skipped.
/// </summary>
public static class OpenApiTools
{
    public static string Folder => Path.Combine(ServiceProjects.RepositoryRoot, "tests", "openapi-tools");

    public static async Task<LintResult> Lint(string documentFile)
    {
        var (exitCode, output, errors) = await Run(Bin("redocly"), ["lint", "--extends", "recommended", "--format=json", documentFile]);
        var start = output.IndexOf('{', StringComparison.Ordinal);
        if (start < 0)
        {
            throw new InvalidOperationException($"redocly printed no JSON report (exit {exitCode}):{Environment.NewLine}{output}{Environment.NewLine}{errors}");
        }

        using var report = JsonDocument.Parse(output[start..]);
        var totals = report.RootElement.GetProperty("totals");
        var problems = report.RootElement.GetProperty("problems").EnumerateArray()
            .Select(problem => new LintProblem(
                problem.GetProperty("ruleId").GetString() ?? string.Empty,
                problem.GetProperty("severity").GetString() ?? string.Empty,
                problem.GetProperty("message").GetString() ?? string.Empty,
                problem.GetProperty("location").EnumerateArray().Select(location => location.GetProperty("pointer").GetString()).FirstOrDefault() ?? string.Empty))
            .ToList();
        return new LintResult(exitCode, totals.GetProperty("errors").GetInt32(), totals.GetProperty("warnings").GetInt32(), problems, output + errors);
    }

    /// <summary>Generates the TypeScript types of a client; returns the generated text.</summary>
    public static async Task<string> GenerateTypeScript(string documentFile)
    {
        var target = Path.ChangeExtension(documentFile, ".d.ts");
        var (exitCode, output, errors) = await Run(Bin("openapi-typescript"), [documentFile, "--output", target]);
        if (exitCode != 0 || !File.Exists(target))
        {
            throw new InvalidOperationException($"openapi-typescript exited {exitCode}:{Environment.NewLine}{output}{Environment.NewLine}{errors}");
        }

        return await File.ReadAllTextAsync(target);
    }

    private static string Bin(string name)
    {
        var path = Path.Combine(Folder, "node_modules", ".bin", name);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"{path} is missing: scripts/test.sh installs the pinned OpenAPI tools (npm ci --prefix tests/openapi-tools); run that first.", path);
        }

        return path;
    }

    private static async Task<(int ExitCode, string Output, string Errors)> Run(string executable, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // No telemetry and no update check: the test run talks to nothing but 127.0.0.1.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        start.Environment["NO_UPDATE_NOTIFIER"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{executable} {string.Join(' ', arguments)} did not finish within 2 minutes.");
        }

        return (process.ExitCode, await output, await errors);
    }
}
