using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

/// <summary>
/// A parsed <c>fieldSelector</c>: <c>metadata.name=x</c>, <c>metadata.namespace!=y</c>, <c>status.phase==Running</c>.
/// Any dotted field path is accepted (the real server accepts only a few per kind).
/// </summary>
internal sealed class FieldSelector
{
    public static readonly FieldSelector Everything = new([]);

    private readonly IReadOnlyList<(string Path, string Value, bool Equal)> _terms;

    private FieldSelector(IReadOnlyList<(string Path, string Value, bool Equal)> terms) => _terms = terms;

    public bool IsEmpty => _terms.Count == 0;

    /// <summary>Whether only <c>metadata.name</c>/<c>metadata.namespace</c> are used, so no object body is needed.</summary>
    public bool OnlyMetadata => _terms.All(t => t.Path is "metadata.name" or "metadata.namespace");

    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        var terms = new List<(string, string, bool)>();
        foreach (var term in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (op, equal) = term.Contains("!=", StringComparison.Ordinal) ? ("!=", false)
                : term.Contains("==", StringComparison.Ordinal) ? ("==", true)
                : term.Contains('=', StringComparison.Ordinal) ? ("=", true)
                : throw new ApiException(FakeFailure.BadRequest($"invalid selector: '{text}'; can't understand '{term}'"));
            var at = term.IndexOf(op, StringComparison.Ordinal);
            terms.Add((term[..at].Trim(), term[(at + op.Length)..].Trim(), equal));
        }
        return new FieldSelector(terms);
    }

    public bool Matches(string ns, string name) => _terms.All(t => Holds(t, t.Path switch
    {
        "metadata.name" => name,
        "metadata.namespace" => ns,
        _ => null,
    }));

    public bool Matches(JsonObject obj) => _terms.All(t => Holds(t, t.Path switch
    {
        "metadata.namespace" => obj.Namespace(),
        _ => JsonPath.Text(obj, t.Path) ?? "",
    }));

    private static bool Holds((string Path, string Value, bool Equal) term, string? actual) =>
        (actual == term.Value) == term.Equal;
}
