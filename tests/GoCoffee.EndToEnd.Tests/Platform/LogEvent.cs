using System.Text.Json;

namespace GoCoffee.EndToEnd.Tests.Platform;

/// <summary>One Serilog compact-JSON log event: <c>@t</c>, <c>@mt</c>, <c>@l</c>, <c>@tr</c>, <c>@sp</c> and the properties.</summary>
public sealed class LogEvent
{
    private readonly JsonElement _root;

    private LogEvent(JsonElement root, string raw)
    {
        _root = root;
        Raw = raw;
    }

    public string Raw { get; }

    public string? MessageTemplate => this["@mt"];

    public string? TraceId => this["@tr"];

    public string? SpanId => this["@sp"];

    /// <summary>Absent for Information (the compact format leaves the default level out).</summary>
    public string Level => this["@l"] ?? "Information";

    /// <summary>A property rendered as a string (null when absent).</summary>
    public string? this[string property] =>
        _root.TryGetProperty(property, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;

    public static LogEvent? TryParse(string line)
    {
        if (!line.StartsWith('{'))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.ValueKind == JsonValueKind.Object ? new LogEvent(document.RootElement.Clone(), line) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public override string ToString() => Raw;
}
