namespace GoCoffee.Observability.Alerts;

public static class AlertStatus
{
    public const string Firing = "firing";
    public const string Resolved = "resolved";
}

/// <summary>
/// One firing of one alert as Alertmanager reported it: its id is <see cref="GoCoffee.Contracts.Observability.AlertIdentity"/>
/// of the fingerprint and <c>startsAt</c>, so a resend finds it and publishes nothing again.
/// </summary>
public sealed class AlertRecord
{
    public Guid Id { get; set; }

    public string Fingerprint { get; set; } = string.Empty;

    public string AlertName { get; set; } = string.Empty;

    /// <summary>The alert's <c>tenant</c> label; null for a platform-wide alert (operators only).</summary>
    public string? TenantId { get; set; }

    public string Severity { get; set; } = string.Empty;

    public string Status { get; set; } = AlertStatus.Firing;

    public Dictionary<string, string> Labels { get; set; } = [];

    public Dictionary<string, string> Annotations { get; set; } = [];

    public DateTimeOffset StartsAt { get; set; }

    public DateTimeOffset? EndsAt { get; set; }

    public string? GeneratorUrl { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed record AlertView(
    Guid Id,
    string AlertName,
    string? TenantId,
    string Severity,
    string Status,
    string? Summary,
    string? Runbook,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt,
    DateTimeOffset UpdatedAt)
{
    public static AlertView Of(AlertRecord alert) => new(
        alert.Id,
        alert.AlertName,
        alert.TenantId,
        alert.Severity,
        alert.Status,
        alert.Annotations.GetValueOrDefault("summary") ?? alert.Annotations.GetValueOrDefault("description"),
        alert.Annotations.GetValueOrDefault("runbook") ?? alert.Annotations.GetValueOrDefault("runbook_url"),
        alert.Labels,
        alert.Annotations,
        alert.StartsAt,
        alert.EndsAt,
        alert.UpdatedAt);
}

public sealed record AlertList(IReadOnlyList<AlertView> Items);

/// <summary>What one intake request changed: alerts that fired or resolved now, and resends that changed nothing.</summary>
public sealed record AlertIntakeResult(int Received, int Fired, int Resolved, int Unchanged);
