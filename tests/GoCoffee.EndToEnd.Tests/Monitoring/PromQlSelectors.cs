using System.Text;

namespace GoCoffee.Monitoring;

/// <summary>One label matcher of a vector selector: <c>name op "value"</c> with op one of <c>= != =~ !~</c>.</summary>
public sealed record LabelMatcher(string Name, string Operator, string Value)
{
    public override string ToString() => $"{Name}{Operator}\"{Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
}

/// <summary>A vector selector as PromQL writes it: an optional metric name and its label matchers.</summary>
public sealed record VectorSelector(string? Metric, IReadOnlyList<LabelMatcher> Matchers)
{
    /// <summary>The selector as Prometheus's <c>match[]</c> parameter takes it.</summary>
    public override string ToString() => $"{Metric}{{{string.Join(",", Matchers)}}}";
}

/// <summary>
/// The vector selectors of a PromQL expression, found by a tokenizer over the language (Prometheus has no command that
/// prints them): identifiers that are not functions, aggregations, keywords or the label lists of
/// <c>by</c>/<c>without</c>/<c>on</c>/<c>ignoring</c>/<c>group_left</c>/<c>group_right</c>, with their <c>{…}</c>
/// matchers; strings, numbers, durations (<c>[5m]</c>, subqueries) and <c>offset</c>/<c>@</c> modifiers are skipped.
/// </summary>
public static class PromQlSelectors
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "and", "or", "unless", "bool", "offset", "inf", "nan", "Inf", "NaN",
    };

    private static readonly HashSet<string> Groupings = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right",
    };

    private static readonly HashSet<string> Aggregations = new(StringComparer.Ordinal)
    {
        "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile",
    };

    public static IReadOnlyList<VectorSelector> Of(string expression)
    {
        var selectors = new List<VectorSelector>();
        var i = 0;
        while (i < expression.Length)
        {
            var c = expression[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '#')
            {
                while (i < expression.Length && expression[i] != '\n')
                {
                    i++;
                }
            }
            else if (c is '"' or '\'' or '`')
            {
                ReadString(expression, ref i);
            }
            else if (c == '[')
            {
                i = expression.IndexOf(']', i) is var end and >= 0 ? end + 1 : throw new FormatException($"Unclosed '[' in: {expression}");
            }
            else if (c == '{')
            {
                selectors.Add(new VectorSelector(null, ReadMatchers(expression, ref i)));
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < expression.Length && char.IsAsciiDigit(expression[i + 1])))
            {
                while (i < expression.Length && (char.IsAsciiLetterOrDigit(expression[i]) || expression[i] is '.' or '_' || ((expression[i] is '+' or '-') && expression[i - 1] is 'e' or 'E')))
                {
                    i++;
                }
            }
            else if (char.IsAsciiLetter(c) || c is '_' or ':')
            {
                var identifier = ReadIdentifier(expression, ref i);
                var next = SkipSpace(expression, i);
                if (Groupings.Contains(identifier))
                {
                    if (next < expression.Length && expression[next] == '(')
                    {
                        i = expression.IndexOf(')', next) + 1;
                    }
                }
                else if (Keywords.Contains(identifier))
                {
                    // offset is followed by a duration: a number and a unit, skipped as such.
                }
                else if (next < expression.Length && expression[next] == '(')
                {
                    // A function or an aggregation.
                }
                else if (Aggregations.Contains(identifier) && (StartsWithWord(expression, next, "by") || StartsWithWord(expression, next, "without")))
                {
                    // sum by (x) (...): the grouping follows the aggregation.
                }
                else
                {
                    var matchers = next < expression.Length && expression[next] == '{' ? ReadMatchers(expression, ref next) : [];
                    if (matchers.Count > 0)
                    {
                        i = next;
                    }

                    selectors.Add(new VectorSelector(identifier, matchers));
                }
            }
            else if (c == '@')
            {
                i++;
            }
            else
            {
                i++;
            }
        }

        return selectors;
    }

    /// <summary>
    /// The labels an expression groups or matches by (<c>by</c>, <c>on</c>, <c>group_left</c>, <c>group_right</c>):
    /// each must exist on the series it selects, or the grouping silently merges everything into one series.
    /// </summary>
    public static IReadOnlyList<string> GroupingLabels(string expression)
    {
        var withoutStrings = System.Text.RegularExpressions.Regex.Replace(expression, "\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`", "\"\"");
        return
        [
            .. System.Text.RegularExpressions.Regex.Matches(withoutStrings, @"\b(?:by|on|group_left|group_right)\s*\(([^)]*)\)")
                .SelectMany(match => match.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                .Distinct(StringComparer.Ordinal),
        ];
    }

    /// <summary>The labels an expression creates (<c>label_replace</c>'s and <c>label_join</c>'s destination).</summary>
    public static IReadOnlyList<string> CreatedLabels(string expression) =>
    [
        .. System.Text.RegularExpressions.Regex.Matches(expression, @"\blabel_(?:replace|join)\s*\(").Select(match =>
        {
            // The destination is the first string argument after the vector argument: skip to the comma at depth 0.
            var depth = 0;
            for (var i = match.Index + match.Length; i < expression.Length; i++)
            {
                depth += expression[i] switch { '(' or '{' or '[' => 1, ')' or '}' or ']' => -1, _ => 0 };
                if (expression[i] is '"' or '\'')
                {
                    var quote = expression[i];
                    i = expression.IndexOf(quote, i + 1);
                }
                else if (expression[i] == ',' && depth == 0)
                {
                    var start = expression.IndexOf('"', i);
                    return expression[(start + 1)..expression.IndexOf('"', start + 1)];
                }
            }

            return string.Empty;
        }).Where(label => label.Length > 0),
    ];

    private static bool StartsWithWord(string text, int at, string word) =>
        at + word.Length <= text.Length && string.CompareOrdinal(text, at, word, 0, word.Length) == 0
        && (at + word.Length == text.Length || !char.IsAsciiLetterOrDigit(text[at + word.Length]));

    private static int SkipSpace(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i;
    }

    private static string ReadIdentifier(string text, ref int i)
    {
        var start = i;
        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or ':'))
        {
            i++;
        }

        return text[start..i];
    }

    private static List<LabelMatcher> ReadMatchers(string text, ref int i)
    {
        var matchers = new List<LabelMatcher>();
        i++; // {
        while (true)
        {
            i = SkipSpace(text, i);
            if (i >= text.Length)
            {
                throw new FormatException($"Unclosed '{{' in: {text}");
            }

            if (text[i] == '}')
            {
                i++;
                return matchers;
            }

            if (text[i] == ',')
            {
                i++;
                continue;
            }

            var name = text[i] == '"' ? ReadString(text, ref i) : ReadIdentifier(text, ref i);
            i = SkipSpace(text, i);
            var op = text[i..].StartsWith("=~", StringComparison.Ordinal) ? "=~"
                : text[i..].StartsWith("!~", StringComparison.Ordinal) ? "!~"
                : text[i..].StartsWith("!=", StringComparison.Ordinal) ? "!="
                : text[i] == '=' ? "=" : throw new FormatException($"Expected a matcher operator at {i} in: {text}");
            i = SkipSpace(text, i + op.Length);
            matchers.Add(new LabelMatcher(name, op, ReadString(text, ref i)));
        }
    }

    private static string ReadString(string text, ref int i)
    {
        var quote = text[i++];
        var value = new StringBuilder();
        while (i < text.Length && text[i] != quote)
        {
            if (text[i] == '\\' && quote != '`' && i + 1 < text.Length)
            {
                var escaped = text[i + 1];
                value.Append(escaped switch { 'n' => '\n', 't' => '\t', _ => escaped });
                i += 2;
            }
            else
            {
                value.Append(text[i++]);
            }
        }

        if (i >= text.Length)
        {
            throw new FormatException($"Unclosed string in: {text}");
        }

        i++;
        return value.ToString();
    }
}
