namespace GoCoffee.Orders.Webhooks;

/// <summary>Where a tenant wants order and payment changes POSTed, and the secret they are signed with.</summary>
public sealed class WebhookEndpoint
{
    /// <summary>The tenant id: one endpoint per tenant.</summary>
    public string Id { get; set; } = string.Empty;

    public string Url { get; set; } = string.Empty;

    /// <summary>The HMAC key, sealed (<see cref="WebhookSecrets"/>): shown to the tenant only when set.</summary>
    public string SealedSecret { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

public static class DeliveryStatus
{
    public const string Pending = nameof(Pending);
    public const string Delivered = nameof(Delivered);
    public const string Failed = nameof(Failed);
}

/// <summary>One notification to a tenant's endpoint, with every attempt: the tenant's delivery log.</summary>
public sealed class WebhookDelivery
{
    /// <summary>The delivery id, sent in the <c>GoCoffee-Delivery</c> header: the same on every attempt and redelivery.</summary>
    public Guid Id { get; set; }

    public string TenantId { get; set; } = string.Empty;

    public Guid? OrderId { get; set; }

    public string Event { get; set; } = string.Empty;

    /// <summary>The JSON body, exactly as signed and sent.</summary>
    public string Payload { get; set; } = string.Empty;

    public string Status { get; set; } = DeliveryStatus.Pending;

    public int Attempts { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    public List<DeliveryAttempt> Log { get; set; } = [];
}

public sealed record DeliveryAttempt(int Number, DateTimeOffset At, string Url, int? StatusCode, string? Error, double ElapsedMs);
