namespace GoCoffee.FakeKubernetes;

/// <summary>
/// A parsed <c>labelSelector</c>: <c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, <c>a</c> (exists), <c>!a</c> (does not exist),
/// <c>a in (x,y)</c>, <c>a notin (x,y)</c>, joined with commas (all must hold).
/// </summary>
internal sealed partial class LabelSelector
{
    public static readonly LabelSelector Everything = new([]);

    private readonly IReadOnlyList<Requirement> _requirements;

    private LabelSelector(IReadOnlyList<Requirement> requirements) => _requirements = requirements;

    public bool IsEmpty => _requirements.Count == 0;

    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        return new LabelSelector([.. SplitTopLevel(text).Select(ParseRequirement)]);
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels) => _requirements.All(r => r.Matches(labels));

    private static Requirement ParseRequirement(string term)
    {
        term = term.Trim();
        if (term.StartsWith('!')) return new Requirement(Key(term[1..]), Operator.DoesNotExist, []);

        var setMatch = SetExpression().Match(term);
        if (setMatch.Success)
        {
            var values = setMatch.Groups["values"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var op = setMatch.Groups["op"].Value == "in" ? Operator.In : Operator.NotIn;
            return new Requirement(Key(setMatch.Groups["key"].Value), op, values);
        }

        foreach (var (token, op) in new[] { ("!=", Operator.NotIn), ("==", Operator.In), ("=", Operator.In) })
        {
            var at = term.IndexOf(token, StringComparison.Ordinal);
            if (at > 0) return new Requirement(Key(term[..at]), op, [term[(at + token.Length)..].Trim()]);
        }
        return new Requirement(Key(term), Operator.Exists, []);
    }

    private static string Key(string key)
    {
        key = key.Trim();
        if (key.Length == 0 || key.Any(char.IsWhiteSpace) || key.IndexOfAny(['(', ')', '=', '!', ',']) >= 0)
        {
            throw new ApiException(FakeFailure.BadRequest($"unable to parse requirement: invalid label key \"{key}\""));
        }
        return key;
    }

    /// <summary>Splits on commas that are not inside <c>( )</c>.</summary>
    internal static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(': depth++; break;
                case ')': depth--; break;
                case ',' when depth == 0:
                    if (i > start) yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }
        if (start < text.Length) yield return text[start..];
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*(?<key>[^\s!=]+)\s+(?<op>in|notin)\s*\((?<values>[^)]*)\)\s*$")]
    private static partial System.Text.RegularExpressions.Regex SetExpression();

    private enum Operator { In, NotIn, Exists, DoesNotExist }

    private sealed record Requirement(string Key, Operator Op, IReadOnlyList<string> Values)
    {
        public bool Matches(IReadOnlyDictionary<string, string> labels)
        {
            var present = labels.TryGetValue(Key, out var value);
            return Op switch
            {
                Operator.In => present && Values.Contains(value),
                Operator.NotIn => !present || !Values.Contains(value),
                Operator.Exists => present,
                _ => !present,
            };
        }
    }
}
