using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.Objects;
using GoCoffee.ClusterAgent.Targets;
using GoCoffee.ClusterAgent.Tenants;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Cluster;
using GoCoffee.Contracts.Tenants;
using GoCoffee.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.Options;

namespace GoCoffee.ClusterAgent.Provisioning;

/// <summary>
/// Makes the cluster hold the tenant's plan: applies every object (server-side apply, marked with the command's message
/// id, so a command delivered again skips what it already applied), then removes the tenant's namespaces the plan no longer lists. A step
/// that fails for good removes what this run created, newest first, and reports the object and the server's message.
/// </summary>
public sealed class ProvisionTenantNamespacesConsumer(
    IClusterTarget target,
    IOutbox outbox,
    IOptions<TenantNetworkOptions> network,
    ILogger<ProvisionTenantNamespacesConsumer> logger) : IConsumer<ProvisionTenantNamespaces>
{
    public const string Step = "provision";

    public async Task Consume(ConsumeContext<ProvisionTenantNamespaces> context)
    {
        var command = context.Message;
        var plan = command.Plan;
        var cancellationToken = context.CancellationToken;

        if (TenantInvariants.Check(plan) is { } refused)
        {
            Refuse(command, refused.Target, refused.Reason);
            return;
        }

        List<JsonObject> manifests;
        try
        {
            manifests = TenantObjects.For(plan, network.Value).Select(Manifest.From).ToList();
            if (TenantInvariants.Check(plan.TenantId, manifests.Select(Manifest.Reference)) is { } strayObject)
            {
                Refuse(command, strayObject.Target, strayObject.Reason);
                return;
            }
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            // The plan itself is wrong (a quantity Kubernetes cannot read): nothing was touched, and retrying cannot help.
            var tenant = new ClusterObjectRef($"{TenantResource.Group}/{TenantResource.Version}", TenantResource.ResourceKind, null, plan.TenantId);
            Fail(command, tenant, 422, $"The tenant's plan cannot be turned into Kubernetes objects: {ex.Message}", []);
            return;
        }

        var journal = new ProvisioningJournal(target, plan.TenantId, context.MessageId, logger);
        try
        {
            foreach (var manifest in manifests)
            {
                await journal.Apply(manifest, cancellationToken);
            }

            await RemoveNamespacesNoLongerPlanned(plan, cancellationToken);
        }
        catch (ClusterRequestFailedException failure)
        {
            logger.LogWarning("Provisioning tenant {TenantId} failed at {ClusterObject}: {StatusCode} {Reason}", plan.TenantId, failure.Target, failure.StatusCode, failure.Reason);

            // Not the consumer's token: a failure is cleaned up even when the bus is stopping, so nothing half-made stays.
            var removed = await journal.Undo(CancellationToken.None);
            Fail(command, failure.Target, failure.StatusCode, failure.Reason, removed);
            return;
        }

        logger.LogInformation("Provisioned tenant {TenantId}: {NamespaceCount} namespaces, {ObjectCount} objects", plan.TenantId, plan.Namespaces.Count, journal.Applied.Count);
        outbox.Publish(
            new TenantNamespacesProvisioned(command.CorrelationId, plan.TenantId, plan.Namespaces.Select(ns => ns.Name).ToList(), journal.Applied.ToList()),
            plan.TenantId,
            command.CorrelationId);
    }

    private async Task RemoveNamespacesNoLongerPlanned(TenantPlan plan, CancellationToken cancellationToken)
    {
        var planned = plan.Namespaces.Select(ns => ns.Name).ToHashSet(StringComparer.Ordinal);
        var existing = await target.ListAsync(ObjectKind.Namespace, @namespace: null, PlatformLabels.ForTenant(plan.TenantId), cancellationToken);
        foreach (var ns in existing.Select(Manifest.Reference).Where(ns => !planned.Contains(ns.Name) && TenantInvariants.IsTenantNamespace(plan.TenantId, ns.Name)))
        {
            var outcome = await target.DeleteAsync(ns, plan.TenantId, cancellationToken);
            logger.LogInformation("Namespace {Namespace} of tenant {TenantId} is no longer planned: {Outcome}", ns.Name, plan.TenantId, outcome);
        }
    }

    private void Refuse(ProvisionTenantNamespaces command, ClusterObjectRef target, string reason)
    {
        var refusal = TenantInvariants.Refusal(target, reason);
        logger.LogWarning("Refused to provision tenant {TenantId}: {ClusterObject} {Reason}", command.Plan?.TenantId, target, refusal.Reason);
        Fail(command, target, refusal.StatusCode, refusal.Reason, []);
    }

    private void Fail(ProvisionTenantNamespaces command, ClusterObjectRef failed, int statusCode, string message, IReadOnlyList<ClusterObjectRef> removed) =>
        outbox.Publish(
            new TenantClusterStepFailed(command.CorrelationId, command.Plan?.TenantId ?? string.Empty, Step, failed, statusCode, message, removed),
            string.IsNullOrEmpty(command.Plan?.TenantId) ? null : command.Plan.TenantId,
            command.CorrelationId);
}
