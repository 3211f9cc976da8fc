namespace GoCoffee.ServiceDefaults.Tests;

public sealed record BeanDelivered(Guid DeliveryId, int Kilograms);

public sealed record RoastRequested(Guid RoastId, bool Poison);

public sealed record RoastStarted(Guid RoastId);

/// <summary>A deliberately non-idempotent effect: counting deliveries shows any duplicate processing.</summary>
public sealed class Tally
{
    public string Id { get; set; } = string.Empty;

    public int Count { get; set; }
}

public sealed class Roast
{
    public Guid Id { get; set; }
}
