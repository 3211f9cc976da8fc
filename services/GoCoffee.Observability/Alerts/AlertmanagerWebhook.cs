using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GoCoffee.Observability.Alerts;

/// <summary>One alert of an Alertmanager webhook, checked.</summary>
public sealed record ReportedAlert(
    string Status,
    string Fingerprint,
    string AlertName,
    string? TenantId,
    string Severity,
    Dictionary<string, string> Labels,
    Dictionary<string, string> Annotations,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt,
    string? GeneratorUrl);

/// <summary>A client mistake in the payload: the field (a JSON path) and the rule it breaks.</summary>
public sealed record PayloadError(string Field, string Message);

/// <summary>
/// Reads Alertmanager's webhook payload, version 4
/// (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config), strictly: a key given twice, nesting
/// deeper than Alertmanager ever sends, a missing or mistyped field is an error naming its path.
/// </summary>
public static partial class AlertmanagerWebhook
{
    public const int MaxBodyBytes = 1024 * 1024;
    public const int MaxAlerts = 1000;
    public const int MaxLabels = 64;
    public const int MaxValueLength = 4096;
    public const string TenantLabel = "tenant";

    public const int MaxDepth = 8;

    public static (IReadOnlyList<ReportedAlert> Alerts, PayloadError? Error) Read(ReadOnlySpan<byte> body)
    {
        if (CheckStructure(body) is { } structureError)
        {
            return ([], structureError);
        }

        using var document = JsonDocument.Parse(body.ToArray());
        var root = document.RootElement;

        if (root.ValueKind != JsonValueKind.Object)
        {
            return ([], new PayloadError("$", "must be a JSON object (Alertmanager's webhook payload)"));
        }

        if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.String)
        {
            return ([], new PayloadError("version", "is required: the payload version as a string (\"4\")"));
        }

        if (version.GetString() != "4")
        {
            return ([], new PayloadError("version", $"must be \"4\" (the only webhook payload version this intake reads), not \"{Clip(version.GetString())}\""));
        }

        if (!root.TryGetProperty("alerts", out var alerts) || alerts.ValueKind != JsonValueKind.Array)
        {
            return ([], new PayloadError("alerts", "is required: an array of alerts"));
        }

        if (alerts.GetArrayLength() > MaxAlerts)
        {
            return ([], new PayloadError("alerts", $"may hold at most {MaxAlerts} alerts (set max_alerts in the webhook configuration)"));
        }

        var read = new List<ReportedAlert>(alerts.GetArrayLength());
        var index = 0;
        foreach (var alert in alerts.EnumerateArray())
        {
            var (reported, error) = ReadAlert(alert, $"alerts[{index++}]");
            if (error is not null)
            {
                return ([], error);
            }

            read.Add(reported!);
        }

        return (read, null);
    }

    /// <summary>
    /// Syntax, a key given twice and nesting deeper than <see cref="MaxDepth"/>, with the path where it happens (neither
    /// JsonDocument nor the serializer says where).
    /// </summary>
    private static PayloadError? CheckStructure(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth + 2 });
        var containers = new Stack<(string Path, HashSet<string>? Keys, int Index)>();
        string? property = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = reader.GetString()!;
                        var (objectPath, keys, _) = containers.Peek();
                        if (!keys!.Add(property))
                        {
                            return new PayloadError($"{objectPath}.{Clip(property)}", "is given twice: a key may appear once in an object");
                        }

                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        var path = ChildPath(containers, property);
                        if (containers.Count == MaxDepth)
                        {
                            return new PayloadError(path, $"nests deeper than {MaxDepth} levels, which Alertmanager's payload never does");
                        }

                        containers.Push((path, reader.TokenType == JsonTokenType.StartObject ? new HashSet<string>(StringComparer.Ordinal) : null, 0));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        containers.Pop();
                        break;
                    default:
                        ChildPath(containers, property);
                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            return new PayloadError(containers.Count > 0 ? containers.Peek().Path : "$", $"is not valid JSON: {ex.Message.Split(" LineNumber:")[0]}");
        }

        return null;
    }

    /// <summary>The path of the value the reader is at; counts it in its array.</summary>
    private static string ChildPath(Stack<(string Path, HashSet<string>? Keys, int Index)> containers, string? property)
    {
        if (containers.Count == 0)
        {
            return "$";
        }

        var (path, keys, index) = containers.Pop();
        containers.Push((path, keys, index + 1));
        return keys is null ? $"{path}[{index}]" : $"{path}.{Clip(property)}";
    }

    private static (ReportedAlert? Alert, PayloadError? Error) ReadAlert(JsonElement alert, string at)
    {
        if (alert.ValueKind != JsonValueKind.Object)
        {
            return (null, new PayloadError(at, "must be an object"));
        }

        if (!alert.TryGetProperty("status", out var status) || status.GetStringOrNull() is not (AlertStatus.Firing or AlertStatus.Resolved))
        {
            return (null, new PayloadError($"{at}.status", "is required: \"firing\" or \"resolved\""));
        }

        if (!alert.TryGetProperty("fingerprint", out var fingerprint) || fingerprint.GetStringOrNull() is not { } print || !Fingerprint().IsMatch(print))
        {
            return (null, new PayloadError($"{at}.fingerprint", "is required: Alertmanager's fingerprint of the alert's labels (1 to 64 hexadecimal digits)"));
        }

        var (labels, labelError) = ReadStrings(alert, "labels", $"{at}.labels", required: true);
        if (labelError is not null)
        {
            return (null, labelError);
        }

        if (labels.GetValueOrDefault("alertname") is not { Length: > 0 } name)
        {
            return (null, new PayloadError($"{at}.labels.alertname", "is required: the alert's name"));
        }

        string? tenantId = null;
        if (labels.TryGetValue(TenantLabel, out var tenant))
        {
            if (!TenantId().IsMatch(tenant))
            {
                return (null, new PayloadError($"{at}.labels.{TenantLabel}", "must be a tenant id: a DNS label (lower-case letters, digits and '-', at most 63)"));
            }

            tenantId = tenant;
        }

        var (annotations, annotationError) = ReadStrings(alert, "annotations", $"{at}.annotations", required: false);
        if (annotationError is not null)
        {
            return (null, annotationError);
        }

        var (startsAt, startError) = ReadTime(alert, "startsAt", at);
        if (startError is not null || startsAt is null || startsAt.Value.Year < 2000)
        {
            return (null, startError ?? new PayloadError($"{at}.startsAt", "is required: when the alert started (RFC 3339)"));
        }

        var (endsAt, endError) = ReadTime(alert, "endsAt", at);
        if (endError is not null)
        {
            return (null, endError);
        }

        // Alertmanager sends the zero time, or a time in the future, for a firing alert's endsAt.
        endsAt = endsAt is { Year: < 2000 } ? null : endsAt;
        if (status.GetString() == AlertStatus.Resolved && endsAt is { } end && end < startsAt)
        {
            return (null, new PayloadError($"{at}.endsAt", "must not be before startsAt"));
        }

        string? generatorUrl = null;
        if (alert.TryGetProperty("generatorURL", out var generator) && generator.ValueKind != JsonValueKind.Null)
        {
            if (generator.ValueKind != JsonValueKind.String || generator.GetString()!.Length > MaxValueLength)
            {
                return (null, new PayloadError($"{at}.generatorURL", $"must be a string of at most {MaxValueLength} characters"));
            }

            generatorUrl = generator.GetString() is { Length: > 0 } url ? url : null;
        }

        return (new ReportedAlert(
            status.GetString()!,
            print,
            name,
            tenantId,
            labels.GetValueOrDefault("severity") is { Length: > 0 } severity ? severity : "none",
            labels,
            annotations,
            startsAt.Value,
            endsAt,
            generatorUrl), null);
    }

    private static (Dictionary<string, string> Values, PayloadError? Error) ReadStrings(JsonElement alert, string property, string at, bool required)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!alert.TryGetProperty(property, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return required ? (values, new PayloadError(at, "is required: an object of string values")) : (values, null);
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return (values, new PayloadError(at, "must be an object of string values"));
        }

        foreach (var entry in element.EnumerateObject())
        {
            if (values.Count == MaxLabels)
            {
                return (values, new PayloadError(at, $"may hold at most {MaxLabels} entries"));
            }

            if (entry.Value.ValueKind != JsonValueKind.String || entry.Value.GetString()!.Length > MaxValueLength || entry.Name.Length is 0 or > 256)
            {
                return (values, new PayloadError($"{at}.{Clip(entry.Name)}", $"must be a string of at most {MaxValueLength} characters, under a name of 1 to 256"));
            }

            values[entry.Name] = entry.Value.GetString()!;
        }

        return (values, null);
    }

    private static (DateTimeOffset? Time, PayloadError? Error) ReadTime(JsonElement alert, string property, string at)
    {
        if (!alert.TryGetProperty(property, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        if (element.ValueKind != JsonValueKind.String
            || !DateTimeOffset.TryParse(element.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return (null, new PayloadError($"{at}.{property}", "must be a time in RFC 3339 format"));
        }

        return (time, null);
    }

    private static string? GetStringOrNull(this JsonElement element) => element.ValueKind == JsonValueKind.String ? element.GetString() : null;

    private static string Clip(string? value) => value is { Length: > 64 } ? value[..64] + "…" : value ?? string.Empty;

    [GeneratedRegex("^[0-9a-fA-F]{1,64}$")]
    private static partial Regex Fingerprint();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex TenantId();
}
