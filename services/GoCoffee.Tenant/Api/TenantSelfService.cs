using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.Contracts.Tenants;
using GoCoffee.Resources;

namespace GoCoffee.Tenant.Api;

/// <summary>
/// What a tenant's own credential (its API key, or a token scoped to it) may change about itself: only what changes no
/// price, quota, isolation or access. An allow-list: every other spec field, including any added later, is a platform
/// administrator's. A field sent with the value it already has is not a change.
/// </summary>
public static class TenantSelfService
{
    /// <summary>Fields a tenant may change itself (a field's sub-fields included).</summary>
    public static readonly IReadOnlyList<string> TenantEditable = ["spec.displayName", "spec.description", "spec.billing.billingContact"];

    public static readonly string Rule =
        $"only a platform administrator may change it; a tenant's own credential may change {string.Join(", ", TenantEditable)}";

    /// <summary>The fields the change from <paramref name="current"/> to <paramref name="proposed"/> touches that a tenant may not change.</summary>
    public static IReadOnlyList<string> AdminOnlyChanges(TenantSpec current, TenantSpec proposed) =>
        Changes(current, proposed).Where(field => !IsTenantEditable(field)).ToList();

    /// <summary>
    /// Every field of the model whose value differs, by its path (<c>spec.isolation.networkPolicy</c>): sections of the
    /// model are compared field by field, anything else (a text, a number, a list, a map) as one value.
    /// </summary>
    public static IReadOnlyList<string> Changes(TenantSpec current, TenantSpec proposed)
    {
        var changes = new List<string>();
        Compare(JsonSerializer.SerializeToNode(current, ResourceDocument.Json), JsonSerializer.SerializeToNode(proposed, ResourceDocument.Json), typeof(TenantSpec), "spec", changes);
        return changes;
    }

    public static bool IsTenantEditable(string field) =>
        TenantEditable.Any(allowed => field == allowed || field.StartsWith(allowed + ".", StringComparison.Ordinal) || field.StartsWith(allowed + "[", StringComparison.Ordinal));

    private static void Compare(JsonNode? before, JsonNode? after, Type? type, string path, List<string> changes)
    {
        if (type is null || !IsSection(type))
        {
            if (!JsonNode.DeepEquals(before, after))
            {
                changes.Add(path);
            }

            return;
        }

        var left = before as JsonObject ?? new JsonObject();
        var right = after as JsonObject ?? new JsonObject();
        foreach (var name in left.Select(p => p.Key).Union(right.Select(p => p.Key)).Order(StringComparer.Ordinal))
        {
            var property = type.GetProperties().FirstOrDefault(p => string.Equals(ResourceDocument.Json.PropertyNamingPolicy?.ConvertName(p.Name) ?? p.Name, name, StringComparison.Ordinal));
            Compare(left[name], right[name], property is null ? null : Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType, $"{path}.{name}", changes);
        }
    }

    /// <summary>A section of the resource model (<c>TenantResources</c>, <c>TenantIsolation</c>, …), not a value.</summary>
    private static bool IsSection(Type type) => type.IsClass && type.Namespace == typeof(TenantSpec).Namespace;
}
