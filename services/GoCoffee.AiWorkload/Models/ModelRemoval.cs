using Marten;

namespace GoCoffee.AiWorkload.Models;

/// <summary>
/// A removed model, kept for audit: its versions, its aliases and every alias move, who removed it and when
/// (id <c>tenant/name/removal</c>). The name is free again: registering it later starts a new model.
/// </summary>
public sealed class RemovedModel
{
    public string Id { get; set; } = string.Empty;

    public string TenantId { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public List<ModelVersion> Versions { get; set; } = [];

    public Dictionary<string, string> Aliases { get; set; } = [];

    public List<AliasMove> AliasHistory { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public string RemovedBy { get; set; } = string.Empty;

    public DateTimeOffset RemovedAt { get; set; }
}

/// <summary>Removing a model from a tenant's registry: only while no workload uses it; its record is kept for audit.</summary>
internal static class ModelRemoval
{
    /// <summary>The workloads (<c>namespace/name</c>) that deploy the model, whatever their phase.</summary>
    public static async Task<IReadOnlyList<string>> WorkloadsUsing(IQuerySession session, RegisteredModel model, CancellationToken cancellationToken)
    {
        var workloads = await session.Query<Workloads.AiWorkload>().Where(w => w.TenantId == model.TenantId).ToListAsync(cancellationToken);
        return [.. workloads.Where(w => w.Spec.Model?.Name == model.Name).Select(w => $"{w.Namespace}/{w.Name}").Order(StringComparer.Ordinal)];
    }

    /// <summary>Stages the model's removal and its audit record on <paramref name="session"/>.</summary>
    public static RemovedModel Remove(IDocumentSession session, RegisteredModel model, string actor, DateTimeOffset now)
    {
        var removed = new RemovedModel
        {
            Id = $"{model.Id}/{Guid.CreateVersion7(now):N}",
            TenantId = model.TenantId,
            Name = model.Name,
            Versions = model.Versions,
            Aliases = model.Aliases,
            AliasHistory = model.AliasHistory,
            CreatedAt = model.CreatedAt,
            RemovedBy = actor,
            RemovedAt = now,
        };
        session.Store(removed);
        session.Delete(model);
        return removed;
    }
}
