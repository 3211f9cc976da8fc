using System.Text.Json;
using Json.Schema;

namespace GoCoffee.ServiceDefaults.Messaging;

/// <summary>
/// A published JSON Schema for plain-JSON events from outside the platform (a shop's system, a metrics collector), and
/// the validation every such event gets before it is read: not JSON, a schema violation, or a top-level key given twice
/// is a reason to reject it (to the queue's <c>_error</c> queue, with the reason).
/// </summary>
public sealed class JsonEventSchema(string text)
{
    public string Text { get; } = text;

    public JsonSchema Schema { get; } = JsonSchema.FromText(text);

    /// <summary>Null when <paramref name="body"/> is valid; else every violation with where it is.</summary>
    public string? Violations(ReadOnlySpan<byte> body)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 8 });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException ex)
        {
            return $"not JSON: {ex.Message.Split('\n')[0]}";
        }

        using (document)
        {
            var results = Schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            if (results.IsValid)
            {
                // JSON Schema does not forbid a key given twice; the platform does.
                return DuplicateKey(body) is { } duplicate ? $"/{duplicate}: given twice" : null;
            }

            var errors = (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{(d.InstanceLocation.ToString() is { Length: > 0 } at ? at : "/")}: {e.Value}"))
                .Distinct()
                .Take(10);
            return string.Join("; ", errors);
        }
    }

    /// <summary>The schema embedded as <paramref name="resourceName"/> in the assembly of <typeparamref name="TAnchor"/>.</summary>
    public static JsonEventSchema Embedded<TAnchor>(string resourceName)
    {
        using var stream = typeof(TAnchor).Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"The schema {resourceName} is not embedded in {typeof(TAnchor).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return new JsonEventSchema(reader.ReadToEnd());
    }

    private static string? DuplicateKey(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && !seen.Add(reader.GetString()!))
            {
                return reader.GetString();
            }
        }

        return null;
    }
}
