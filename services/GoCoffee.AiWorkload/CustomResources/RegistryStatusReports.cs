using GoCoffee.AiWorkload.Models;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Ai;
using GoCoffee.Contracts.Cluster;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;

namespace GoCoffee.AiWorkload.CustomResources;

/// <summary>A ModelRegistry custom resource the service took, and its last <c>Synced</c> condition (id <c>tenant/namespace/name</c>).</summary>
public sealed class RegistryObject
{
    public string Id { get; set; } = string.Empty;

    public string TenantId { get; set; } = string.Empty;

    public string Namespace { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public ResourceCondition? Synced { get; set; }

    public static string IdOf(string tenantId, string ns, string name) => $"{tenantId}/{ns}/{name}";
}

/// <summary>
/// A ModelRegistry object's <c>totalModels</c>/<c>availableModels</c> are the tenant's whole registry: whenever it
/// changes (a version registered, archived or removed, through either door), every registry object of the tenant gets
/// the new counts, with its last <c>Synced</c> condition, in the same transaction as the change.
/// </summary>
internal static class RegistryStatusReports
{
    /// <param name="staged">Models changed in <paramref name="session"/> and not yet committed.</param>
    /// <param name="removed">Ids of models removed in <paramref name="session"/>.</param>
    /// <param name="except">An object (id) whose status its caller reports itself.</param>
    public static async Task Republish(IDocumentSession session, IOutbox outbox, string tenantId, IReadOnlyCollection<RegisteredModel> staged, IReadOnlyCollection<string> removed, DateTimeOffset now, CancellationToken cancellationToken, string? except = null)
    {
        var objects = await session.Query<RegistryObject>().Where(o => o.TenantId == tenantId).ToListAsync(cancellationToken);
        if (objects.All(o => o.Id == except))
        {
            return;
        }

        var counts = await RegistryDecisions.StatusOf(session, tenantId, staged, cancellationToken, removed);
        foreach (var registry in objects.Where(o => o.Id != except))
        {
            var status = new ModelRegistryStatus { TotalModels = counts.TotalModels, AvailableModels = counts.AvailableModels };
            if (registry.Synced is { } synced)
            {
                status.Conditions.Add(synced);
            }

            outbox.Publish(new ModelRegistryStatusChanged(tenantId, registry.Namespace, registry.Name, status, now), tenantId);
        }
    }
}
