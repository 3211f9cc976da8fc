using GoCoffee.ClusterAgent.Provisioning;
using GoCoffee.ClusterAgent.Targets;
using GoCoffee.ClusterAgent.Tenants;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Cluster;
using GoCoffee.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.Options;

namespace GoCoffee.ClusterAgent.Observability;

/// <summary>
/// The tenant's monitoring step: applies its alert route and dashboards folder in its first namespace (server-side
/// apply, marked with the command's id). A failure removes what this run created and reports the object and the
/// server's words on step <c>monitoring</c>. Deleting the tenant removes both with the tenant's other objects.
/// </summary>
public sealed class ProvisionTenantMonitoringConsumer(IClusterTarget target, IOutbox outbox, IOptions<TenantMonitoringOptions> options, ILogger<ProvisionTenantMonitoringConsumer> logger) : IConsumer<ProvisionTenantMonitoring>
{
    public const string Step = "monitoring";

    public async Task Consume(ConsumeContext<ProvisionTenantMonitoring> context)
    {
        var command = context.Message;
        var ns = command.Namespaces is { Count: > 0 } namespaces ? namespaces[0] : null;
        var route = new ClusterObjectRef(MonitoringKinds.AlertmanagerConfig.ApiVersion, MonitoringKinds.AlertmanagerConfig.Kind, ns, TenantMonitoringObjects.RouteName);
        var reason = TenantInvariants.CheckTenantId(command.TenantId) ?? (ns is null ? "the command names no namespace" : TenantInvariants.CheckNamespace(command.TenantId, ns));
        if (reason is not null)
        {
            var refusal = TenantInvariants.Refusal(route, reason);
            logger.LogWarning("Refused the monitoring step of tenant {TenantId}: {Reason}", command.TenantId, refusal.Reason);
            outbox.Publish(new TenantClusterStepFailed(command.CorrelationId, command.TenantId ?? string.Empty, Step, route, refusal.StatusCode, refusal.Reason, []), null, command.CorrelationId);
            return;
        }

        var journal = new ProvisioningJournal(target, command.TenantId, context.MessageId, logger);
        try
        {
            foreach (var manifest in TenantMonitoringObjects.For(command.TenantId, ns!, options.Value))
            {
                await journal.Apply(manifest, context.CancellationToken);
            }
        }
        catch (ClusterRequestFailedException failure)
        {
            logger.LogWarning("The monitoring step of tenant {TenantId} failed at {ClusterObject}: {StatusCode} {Reason}", command.TenantId, failure.Target, failure.StatusCode, failure.Reason);
            var removed = await journal.Undo(CancellationToken.None);
            outbox.Publish(new TenantClusterStepFailed(command.CorrelationId, command.TenantId, Step, failure.Target, failure.StatusCode, failure.Reason, removed), command.TenantId, command.CorrelationId);
            return;
        }

        outbox.Publish(new TenantMonitoringProvisioned(command.CorrelationId, command.TenantId, [.. journal.Applied]), command.TenantId, command.CorrelationId);
    }
}
