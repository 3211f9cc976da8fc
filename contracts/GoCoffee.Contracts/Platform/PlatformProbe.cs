namespace GoCoffee.Contracts.Platform;

/// <summary>
/// An operator asked every service to answer over the bus: proves the whole publish → consume path,
/// per service, end to end (the console's "is the bus healthy everywhere?" button).
/// </summary>
public sealed record PlatformProbeRequested(Guid ProbeId, DateTimeOffset RequestedAt);

/// <summary>One service instance received a probe and answered it.</summary>
public sealed record PlatformProbeAnswered(Guid ProbeId, string Service, string Instance, DateTimeOffset ReceivedAt);
