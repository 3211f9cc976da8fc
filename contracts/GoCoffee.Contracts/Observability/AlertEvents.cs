namespace GoCoffee.Contracts.Observability;

// Published by the observability service when Alertmanager reports an alert through its webhook (the alert intake).
// AlertId is stable for one firing of one alert (Alertmanager's fingerprint and startsAt), so the fired and the resolved
// event of that firing carry the same id, and a resend of either is recognisable. TenantId is the alert's `tenant`
// label, null for a platform-wide alert: a tenant-labelled alert is delivered to that tenant's webhooks only.

public sealed record AlertFired(
    Guid AlertId,
    string Fingerprint,
    string AlertName,
    string? TenantId,
    string Severity,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    DateTimeOffset StartsAt,
    string? GeneratorUrl,
    DateTimeOffset At);

public sealed record AlertResolved(
    Guid AlertId,
    string Fingerprint,
    string AlertName,
    string? TenantId,
    string Severity,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    DateTimeOffset At);

public static class AlertIdentity
{
    private static readonly Guid Namespace = new("0b5e2f7c-41d6-4a8e-9c3b-7f1a2d6e8b90");

    /// <summary>The id of one firing of an alert: the same for every resend of it, fired or resolved.</summary>
    public static Guid For(string fingerprint, DateTimeOffset startsAt)
    {
        var name = System.Text.Encoding.UTF8.GetBytes($"{fingerprint}|{startsAt.UtcTicks}");
        var ns = Namespace.ToByteArray(bigEndian: true);
        var hash = System.Security.Cryptography.SHA256.HashData([.. ns, .. name]);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
