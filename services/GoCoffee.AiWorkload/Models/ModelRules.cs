using System.Text.RegularExpressions;
using GoCoffee.Contracts.Ai;

namespace GoCoffee.AiWorkload.Models;

/// <summary>What a model version, an alias and a model name must be; every rule answers with the field it concerns.</summary>
public static partial class ModelRules
{
    public static readonly IReadOnlyList<string> SourceSchemes = ["gs", "s3", "hf", "pvc", "oci", "https"];

    public const int MaxMetadataEntries = 50;

    public static bool IsDnsLabel(string? value) => value is { Length: > 0 and <= 63 } && DnsLabel().IsMatch(value);

    public static bool IsVersionName(string? value) => value is { Length: > 0 and <= 64 } && VersionName().IsMatch(value);

    /// <summary>The field errors of one version document, keyed under <paramref name="prefix"/>.</summary>
    public static Dictionary<string, string[]> Check(ModelVersionSpec? spec, IReadOnlyCollection<string> frameworks, string prefix = "")
    {
        var errors = new Dictionary<string, string[]>();
        if (spec is null)
        {
            errors[prefix.TrimEnd('.') is { Length: > 0 } p ? p : "$"] = ["is required"];
            return errors;
        }

        if (!IsDnsLabel(spec.Name))
        {
            errors[prefix + "name"] = ["is required: a DNS label (lowercase letters, digits, '-', at most 63)"];
        }

        if (!IsVersionName(spec.Version))
        {
            errors[prefix + "version"] = ["is required: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"];
        }

        var framework = spec.Framework ?? spec.Type;
        if (spec.Framework is not null && spec.Type is not null && spec.Framework != spec.Type)
        {
            errors[prefix + "type"] = ["must equal framework when both are given"];
        }
        else if (framework is null || !frameworks.Contains(framework))
        {
            errors[prefix + "framework"] = [$"is required: one of {string.Join(", ", frameworks)}"];
        }

        if (SourceError(spec.Source) is { } sourceError)
        {
            errors[prefix + "source"] = [sourceError];
        }

        if (spec.Metadata is { } metadata)
        {
            if (metadata.Count > MaxMetadataEntries)
            {
                errors[prefix + "metadata"] = [$"at most {MaxMetadataEntries} entries"];
            }
            else if (metadata.FirstOrDefault(e => e.Key.Length is 0 or > 63 || e.Value is null || e.Value.Length > 256) is { Key: not null } bad)
            {
                errors[prefix + $"metadata.{Clip(bad.Key)}"] = ["keys are 1 to 63 characters, values at most 256"];
            }
        }

        if (spec.Performance is { } performance)
        {
            if (performance.Accuracy is { } accuracy && (double.IsNaN(accuracy) || accuracy is < 0 or > 1))
            {
                errors[prefix + "performance.accuracy"] = ["must be between 0 and 1"];
            }

            if (performance.Latency is { } latency && (double.IsNaN(latency) || latency is < 0 or > 3_600_000))
            {
                errors[prefix + "performance.latency"] = ["milliseconds: between 0 and 3600000"];
            }

            if (performance.Throughput is { } throughput && (double.IsNaN(throughput) || throughput < 0 || double.IsInfinity(throughput)))
            {
                errors[prefix + "performance.throughput"] = ["requests per second: 0 or more"];
            }
        }

        return errors;
    }

    public static string? SourceError(string? source)
    {
        if (string.IsNullOrWhiteSpace(source) || source.Length > 2048)
        {
            return $"is required: a URI of at most 2048 characters with scheme {string.Join(", ", SourceSchemes.Select(s => s + "://"))}";
        }

        var separator = source.IndexOf("://", StringComparison.Ordinal);
        var scheme = separator > 0 ? source[..separator] : string.Empty;
        if (!SourceSchemes.Contains(scheme))
        {
            return $"scheme must be one of {string.Join(", ", SourceSchemes.Select(s => s + "://"))}";
        }

        var rest = source[(separator + 3)..];
        if (rest.Length == 0 || rest.StartsWith('/') || rest.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || rest.Contains("..", StringComparison.Ordinal))
        {
            return "must name a location after the scheme, without spaces, control characters or '..'";
        }

        return scheme == "https" && !Uri.TryCreate(source, UriKind.Absolute, out _) ? "is not a valid https URI" : null;
    }

    internal static string Clip(string value) => value.Length > 64 ? value[..64] + "…" : value;

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex VersionName();
}
