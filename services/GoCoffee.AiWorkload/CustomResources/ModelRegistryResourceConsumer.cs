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

        var outcome = await RegistryDecisions.Apply(session, outbox, options.Value, message.TenantId, resource, actor, now, context.CancellationToken);
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

        outbox.Publish(new ModelRegistryStatusChanged(message.TenantId, ns, name, status, now), message.TenantId);
    }
}
