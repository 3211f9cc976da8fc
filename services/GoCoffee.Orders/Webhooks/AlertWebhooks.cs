using System.Text.Json;
using GoCoffee.Contracts.Observability;
using Marten;
using MassTransit;

namespace GoCoffee.Orders.Webhooks;

/// <summary>
/// Alerts about a tenant (Alertmanager's, through the observability service's intake) reach that tenant's webhook as
/// <c>alert.fired</c> and <c>alert.resolved</c>, signed and retried like order events. Only the alert's own tenant is
/// told: a platform-wide alert (no tenant label) goes to no tenant at all.
/// </summary>
public sealed class AlertWebhookConsumer(IDocumentSession session, TimeProvider clock) : IConsumer<AlertFired>, IConsumer<AlertResolved>
{
    public const string Fired = "alert.fired";
    public const string Resolved = "alert.resolved";

    public Task Consume(ConsumeContext<AlertFired> context)
    {
        var alert = context.Message;
        return Queue(alert.TenantId, Fired, new AlertWebhookView(alert.AlertId, alert.AlertName, "firing", alert.Severity, alert.Labels, alert.Annotations, alert.StartsAt, null), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<AlertResolved> context)
    {
        var alert = context.Message;
        return Queue(alert.TenantId, Resolved, new AlertWebhookView(alert.AlertId, alert.AlertName, "resolved", alert.Severity, alert.Labels, alert.Annotations, alert.StartsAt, alert.EndsAt), context.CancellationToken);
    }

    private async Task Queue(string? tenantId, string webhookEvent, AlertWebhookView view, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(tenantId) || await session.LoadAsync<WebhookEndpoint>(tenantId, cancellationToken) is null)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var id = Guid.CreateVersion7();
        session.Insert(new WebhookDelivery
        {
            Id = id,
            TenantId = tenantId,
            Event = webhookEvent,
            Payload = JsonSerializer.Serialize(new AlertWebhookPayload(id, webhookEvent, now, tenantId, view), Ordering.WebhookPayload.Json),
            CreatedAt = now,
            NextAttemptAt = now,
        });
    }
}

/// <summary>The alert as a tenant's webhook receives it.</summary>
public sealed record AlertWebhookView(
    Guid AlertId,
    string AlertName,
    string Status,
    string Severity,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt);

public sealed record AlertWebhookPayload(Guid Id, string Type, DateTimeOffset CreatedAt, string TenantId, AlertWebhookView Data);
