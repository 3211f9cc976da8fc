namespace GoCoffee.Contracts.Tenants;

// Published by the tenant service when a request changed a tenant; its lifecycle saga takes it from there.
// CorrelationId is the tenant's saga id (TenantCorrelation.For(tenantId)).

public sealed record TenantRegistered(Guid CorrelationId, string TenantId, TenantPlan Plan, DateTimeOffset At);

public sealed record TenantChangeRequested(Guid CorrelationId, string TenantId, TenantPlan Plan, string Change, DateTimeOffset At);

public sealed record TenantSuspensionRequested(Guid CorrelationId, string TenantId, string Reason, DateTimeOffset At);

public sealed record TenantResumptionRequested(Guid CorrelationId, string TenantId, DateTimeOffset At);

public sealed record TenantDeletionRequested(Guid CorrelationId, string TenantId, TimeSpan GracePeriod, DateTimeOffset At);

public sealed record TenantDeletionCancellationRequested(Guid CorrelationId, string TenantId, DateTimeOffset At);

// Published by the tenant lifecycle saga: what other services (the gateway, billing, AI) act on.
// Version: the tenant's event-stream version once the change was recorded (1, 2, 3, ... per tenant). Messages may arrive
// late, out of order or twice: a consumer keeping a picture of tenants applies one only if it is newer than what it holds.
// The tenant service's directory (TenantAccess.Version) counts the same way.

/// <summary>The tenant is serving. <paramref name="RateLimitPerMinute"/> and <paramref name="Features"/> are its tier's (as in
/// <see cref="TenantTierChanged"/>), so the gateway needs no tier catalogue of its own.</summary>
public sealed record TenantActivated(
    Guid CorrelationId,
    string TenantId,
    string Tier,
    IReadOnlyList<string> Namespaces,
    DateTimeOffset At,
    int RateLimitPerMinute = 0,
    IReadOnlyList<string>? Features = null,
    long Version = 0);

public sealed record TenantTierChanged(Guid CorrelationId, string TenantId, string FromTier, string ToTier, int RateLimitPerMinute, IReadOnlyList<string> Features, DateTimeOffset At, long Version = 0);

public sealed record TenantSuspended(Guid CorrelationId, string TenantId, string Reason, DateTimeOffset At, long Version = 0);

public sealed record TenantResumed(Guid CorrelationId, string TenantId, DateTimeOffset At, long Version = 0);

public sealed record TenantFailed(Guid CorrelationId, string TenantId, string Reason, string Message, DateTimeOffset At, long Version = 0);

public sealed record TenantDeleted(Guid CorrelationId, string TenantId, DateTimeOffset At, long Version = 0);

/// <summary>Sent to the saga itself, durably, when a cluster step did not answer in time.</summary>
public sealed record TenantStepTimedOut(Guid CorrelationId, string TenantId, string Step, Guid Token);

/// <summary>Sent to the saga itself, durably, when a deletion's grace period is over.</summary>
public sealed record TenantDeletionGraceElapsed(Guid CorrelationId, string TenantId, Guid Token);

// API keys: only the SHA-256 hash of a key ever leaves the tenant service; the gateway validates keys locally from these.
// A key has its own two-step life (issued, then revoked for good), so its events need no version: a revocation is final,
// and an ApiKeyIssued that arrives after (or is redelivered after) its key's ApiKeyRevoked changes nothing.

public sealed record ApiKeyIssued(string TenantId, string KeyId, string KeyHash, IReadOnlyList<string> Scopes, DateTimeOffset IssuedAt, DateTimeOffset? ExpiresAt);

public sealed record ApiKeyRevoked(string TenantId, string KeyId, DateTimeOffset RevokedAt);

public static class TenantCorrelation
{
    private static readonly Guid Namespace = new("6c8f7d0a-2b1e-4f4e-9d53-0c9a5f1e7b21");

    /// <summary>The lifecycle saga's id for a tenant: stable, so every message about a tenant finds the same saga.</summary>
    public static Guid For(string tenantId)
    {
        var name = System.Text.Encoding.UTF8.GetBytes(tenantId);
        var ns = Namespace.ToByteArray(bigEndian: true);
        var hash = System.Security.Cryptography.SHA256.HashData([.. ns, .. name]);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
