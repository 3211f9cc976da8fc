namespace GoCoffee.Tenant.ApiKeys;

/// <summary>How much the platform remembers of a tenant's API keys (configuration section <c>Tenants:ApiKeys</c>).</summary>
public sealed class ApiKeyOptions
{
    public const string Section = "Tenants:ApiKeys";

    /// <summary>Live (pending or active) keys one tenant may hold; issuing one more is refused until one is revoked.</summary>
    public int MaxLivePerTenant { get; set; } = 20;

    /// <summary>How long a revoked key's record is kept (for the key list and investigations) before it is deleted.</summary>
    public TimeSpan RevokedRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often revoked keys past their retention are looked for.</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);
}
