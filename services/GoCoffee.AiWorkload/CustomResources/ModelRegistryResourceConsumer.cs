using GoCoffee.AiWorkload.Models;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Ai;
using GoCoffee.Contracts.Cluster;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;
using MassTransit;
using Microsoft.Extensions.Options;

namespace GoCoffee.AiWorkload.CustomResources;

/// <summary>
/// A ModelRegistry applied as a custom resource in one of the tenant's namespaces (the cluster-agent names the tenant
/// from the namespace) registers its versions and points its aliases exactly as <c>POST /api/ai/registry</c> does
/// (<see cref="RegistryDecisions.Apply"/>). The answer goes back for the object's status: the registry's counts and
/// <c>Synced=True</c>, or, for a refused document, <c>Synced=False</c> naming the field and rule with nothing of it
/// registered.
/// </summary>
public sealed class ModelRegistryResourceAppliedConsumer(
    IDocumentSession session,
    IDocumentStore store,
    IOutbox outbox,
    IOptions<AiWorkloadOptions> options,
    TimeProvider clock,
    ILogger<ModelRegistryResourceAppliedConsumer> logger) : IConsumer<ModelRegistryResourceApplied>
{
    public async Task Consume(ConsumeContext<ModelRegistryResourceApplied> context)
    {
        var message = context.Message;
        var resource = message.Resource;
        var ns = resource.Metadata?.Namespace ?? string.Empty;
        var name = resource.Metadata?.Name ?? string.Empty;
        var now = clock.GetUtcNow();
        var actor = $"kubernetes:modelregistry/{ns}/{name}";
        session.LastModifiedBy = actor;

        var outcome = await RegistryDecisions.Apply(session, outbox, options.Value, message.TenantId, resource, actor, now, context.CancellationToken, $"{ns}/{name}");
        ModelRegistryStatus status;
        if (outcome.Refusal != RegistryDecisions.Refusal.None)
        {
            // Nothing of a refused document is committed: only the answer is.
            session.EjectAllPendingChanges();
            var text = string.Join("; ", outcome.Errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}")));
            logger.LogInformation("ModelRegistry {Namespace}/{Name} of tenant {TenantId} refused: {Errors}", ns, name, message.TenantId, text);
            await using var committed = store.QuerySession();
            status = await RegistryDecisions.StatusOf(committed, message.TenantId, [], context.CancellationToken);
            status.Conditions.Add(new ResourceCondition("Synced", "False", outcome.Refusal.ToString(), text, now));
        }
        else
        {
            status = await RegistryDecisions.StatusOf(session, message.TenantId, outcome.Staged, context.CancellationToken);
            status.Conditions.Add(new ResourceCondition("Synced", "True", "Applied", $"{resource.Spec?.Models?.Count ?? 0} versions registered, {resource.Spec?.Aliases?.Sum(a => a.Value.Count) ?? 0} aliases pointed.", now));
        }

        var id = RegistryObject.IdOf(message.TenantId, ns, name);
        session.Store(new RegistryObject { Id = id, TenantId = message.TenantId, Namespace = ns, Name = name, Synced = status.Conditions.LastOrDefault() });
        outbox.Publish(new ModelRegistryStatusChanged(message.TenantId, ns, name, status, now), message.TenantId);
        if (outcome.Refusal == RegistryDecisions.Refusal.None)
        {
            await RegistryStatusReports.Republish(session, outbox, message.TenantId, outcome.Staged, [], now, context.CancellationToken, except: id);
        }
    }
}

/// <summary>
/// A ModelRegistry custom resource was deleted: each model it declared that no other registry object declares is
/// removed as <c>DELETE /api/ai/models/{name}</c> removes it, unless a workload uses it (a deletion in the cluster
/// cannot be refused): such a model stays, registered, and is logged; delete it through the API once its workloads
/// are gone.
/// </summary>
public sealed class ModelRegistryResourceDeletedConsumer(IDocumentSession session, IOutbox outbox, TimeProvider clock, ILogger<ModelRegistryResourceDeletedConsumer> logger) : IConsumer<ModelRegistryResourceDeleted>
{
    public async Task Consume(ConsumeContext<ModelRegistryResourceDeleted> context)
    {
        var message = context.Message;
        var registryObject = $"{message.Namespace}/{message.Name}";
        var actor = $"kubernetes:modelregistry/{registryObject}";
        var models = await session.Query<RegisteredModel>().Where(m => m.TenantId == message.TenantId).ToListAsync(context.CancellationToken);
        var staged = new List<RegisteredModel>();
        var removed = new List<string>();
        session.Delete<RegistryObject>(RegistryObject.IdOf(message.TenantId, message.Namespace, message.Name));
        foreach (var model in models.Where(m => m.DeclaredBy.Contains(registryObject)))
        {
            model.DeclaredBy.Remove(registryObject);
            if (model.DeclaredBy.Count > 0)
            {
                session.Store(model);
                staged.Add(model);
                continue;
            }

            var users = await ModelRemoval.WorkloadsUsing(session, model, context.CancellationToken);
            if (users.Count > 0)
            {
                session.Store(model);
                staged.Add(model);
                logger.LogWarning("ModelRegistry {RegistryObject} of tenant {TenantId} was deleted; model {Model} stays registered: workloads use it ({Workloads})", registryObject, message.TenantId, model.Name, string.Join(", ", users));
                continue;
            }

            ModelRemoval.Remove(session, model, actor, clock.GetUtcNow());
            removed.Add(model.Id);
        }

        if (removed.Count > 0)
        {
            await RegistryStatusReports.Republish(session, outbox, message.TenantId, staged, removed, clock.GetUtcNow(), context.CancellationToken, except: RegistryObject.IdOf(message.TenantId, message.Namespace, message.Name));
        }
    }
}
