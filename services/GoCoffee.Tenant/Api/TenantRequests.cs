using GoCoffee.Contracts.Tenants;

namespace GoCoffee.Tenant.Api;

public sealed record IssuedApiKey(string Id, string Key, string Note);

public sealed record TenantCreatedResponse(TenantResource Tenant, IssuedApiKey? ApiKey, bool Replayed);

public sealed record TenantSummary(string TenantId, string Name, string Tier, string Phase, int Namespaces, DateTimeOffset CreatedAt);

public sealed record TenantPage(IReadOnlyList<TenantSummary> Items, long Page, long PageSize, long Total);

public sealed record SuspendRequest(string? Reason);

public sealed record AuditEntry(long Version, string Event, string? By, DateTimeOffset At, object Data);

/// <summary>A partial spec: every section present replaces the tenant's; absent ones stay.</summary>
public sealed class TenantChange
{
    public string? TenantId { get; set; }

    public string? DisplayName { get; set; }

    public string? Description { get; set; }

    public string? Tier { get; set; }

    public TenantResources? Resources { get; set; }

    public TenantIsolation? Isolation { get; set; }

    public TenantServices? Services { get; set; }

    public TenantBilling? Billing { get; set; }

    public TenantCompliance? Compliance { get; set; }

    public List<string>? Owners { get; set; }

    public bool? PreventDeletion { get; set; }

    public (TenantSpec Spec, List<string> Changed) ApplyTo(TenantSpec current)
    {
        var changed = new List<string>();
        T Pick<T>(T? value, T existing, string name)
        {
            if (value is null)
            {
                return existing;
            }

            changed.Add(name);
            return value;
        }

        var spec = new TenantSpec
        {
            TenantId = current.TenantId,
            DisplayName = Pick(DisplayName, current.DisplayName, "displayName"),
            Description = Pick(Description, current.Description, "description"),
            Tier = Pick(Tier, current.Tier, "tier"),
            Resources = Pick(Resources, current.Resources, "resources"),
            Isolation = Pick(Isolation, current.Isolation, "isolation"),
            Services = Pick(Services, current.Services, "services"),
            Billing = Pick(Billing, current.Billing, "billing"),
            Compliance = Pick(Compliance, current.Compliance, "compliance"),
            Owners = Pick(Owners, current.Owners, "owners"),
            PreventDeletion = PreventDeletion ?? current.PreventDeletion,
        };
        if (PreventDeletion is not null)
        {
            changed.Add("preventDeletion");
        }

        return (spec, changed);
    }
}
