using System.Globalization;
using System.Text.RegularExpressions;

namespace GoCoffee.AiWorkload.Workloads;

/// <summary>Durations as Kubernetes and Go write them: <c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>500ms</c> (at most 24 hours).</summary>
public static partial class Durations
{
    public static readonly TimeSpan Max = TimeSpan.FromHours(24);

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 32 || !Whole().IsMatch(text))
        {
            return false;
        }

        foreach (Match part in Part().Matches(text))
        {
            if (!long.TryParse(part.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount > 100_000_000)
            {
                return false;
            }

            value += part.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                _ => TimeSpan.FromHours(amount),
            };
        }

        return value <= Max;
    }

    [GeneratedRegex("^([0-9]+(ms|s|m|h))+$")]
    private static partial Regex Whole();

    [GeneratedRegex("([0-9]+)(ms|s|m|h)")]
    private static partial Regex Part();
}
