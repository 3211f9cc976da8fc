namespace GoCoffee.Observability.Probes;

/// <summary>An operator's request that every service answer over the bus.</summary>
public sealed class PlatformProbe
{
    public Guid Id { get; set; }

    public DateTimeOffset RequestedAt { get; set; }

    public string? RequestedTraceId { get; set; }
}

/// <summary>One service instance's answer; one document each, so concurrent answers never contend.</summary>
public sealed class ProbeAnswer
{
    public string Id { get; set; } = string.Empty;

    public Guid ProbeId { get; set; }

    public string Service { get; set; } = string.Empty;

    public string Instance { get; set; } = string.Empty;

    public DateTimeOffset AnsweredAt { get; set; }

    public DateTimeOffset RecordedAt { get; set; }
}

public sealed record ProbeAnswerView(string Service, string Instance, DateTimeOffset AnsweredAt, double RoundTripMs);

public sealed record PlatformProbeView(Guid Id, DateTimeOffset RequestedAt, IReadOnlyList<ProbeAnswerView> Answers);
