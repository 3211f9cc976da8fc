using GoCoffee.Contracts.Tenants;

namespace GoCoffee.Tenant.Api;

/// <param name="Key">The plain key: only in the answer that issued it; null in a replay of that answer.</param>
public sealed record IssuedApiKey(string Id, string? Key, string Note);

public sealed record TenantCreatedResponse(TenantResource Tenant, IssuedApiKey? ApiKey, bool Replayed);

public sealed record TenantSummary(string TenantId, string Name, string Tier, string Phase, int Namespaces, DateTimeOffset CreatedAt);

public sealed record TenantPage(IReadOnlyList<TenantSummary> Items, long Page, long PageSize, long Total);

public sealed record SuspendRequest(string? Reason);

public sealed record AuditEntry(long Version, string Event, string? By, DateTimeOffset At, object Data);

/// <summary>A PATCH body is a partial spec: every section present replaces the tenant's; absent ones stay.</summary>
public static class SpecChange
{
    public static (TenantSpec Spec, List<string> Changed) Apply(TenantSpec current, TenantSpec change)
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
            DisplayName = Pick(change.DisplayName, current.DisplayName, "displayName"),
            Description = Pick(change.Description, current.Description, "description"),
            Tier = Pick(change.Tier, current.Tier, "tier"),
            Resources = Pick(change.Resources, current.Resources, "resources"),
            Isolation = Pick(change.Isolation, current.Isolation, "isolation"),
            Services = Pick(change.Services, current.Services, "services"),
            Billing = Pick(change.Billing, current.Billing, "billing"),
            Compliance = Pick(change.Compliance, current.Compliance, "compliance"),
            Owners = Pick(change.Owners, current.Owners, "owners"),
            PreventDeletion = Pick(change.PreventDeletion, current.PreventDeletion, "preventDeletion"),
        };
        return (spec, changed);
    }
}
