using GoCoffee.Contracts.Observability;
using GoCoffee.Contracts.Orders;
using GoCoffee.Contracts.Tenants;
using MassTransit;

namespace GoCoffee.Observability.Console;

/// <summary>
/// Puts platform events on this instance's live feed: the tenant lifecycle, orders waiting for and closing payment,
/// alerts. It runs on a queue of this instance alone (non-durable, auto-delete), so every replica's console sees every
/// event. Only the owning services' events are trusted (TrustedSenders), so a tenant cannot fake a line in the feed.
/// </summary>
public sealed class FeedConsumer(PlatformFeed feed) :
    IConsumer<TenantRegistered>,
    IConsumer<TenantActivated>,
    IConsumer<TenantTierChanged>,
    IConsumer<TenantSuspended>,
    IConsumer<TenantResumed>,
    IConsumer<TenantFailed>,
    IConsumer<TenantDeletionRequested>,
    IConsumer<TenantDeleted>,
    IConsumer<OrderAwaitingPayment>,
    IConsumer<OrderPaymentClosed>,
    IConsumer<AlertFired>,
    IConsumer<AlertResolved>
{
    public Task Consume(ConsumeContext<TenantRegistered> context) =>
        Add(context, "tenant.registered", context.Message.TenantId, $"Tenant {context.Message.TenantId} registered ({context.Message.Plan.Tier}); provisioning starts", context.Message.At);

    public Task Consume(ConsumeContext<TenantActivated> context) =>
        Add(context, "tenant.activated", context.Message.TenantId, $"Tenant {context.Message.TenantId} is active ({context.Message.Tier}, {context.Message.Namespaces.Count} namespaces)", context.Message.At);

    public Task Consume(ConsumeContext<TenantTierChanged> context) =>
        Add(context, "tenant.tier-changed", context.Message.TenantId, $"Tenant {context.Message.TenantId} moved from {context.Message.FromTier} to {context.Message.ToTier}", context.Message.At);

    public Task Consume(ConsumeContext<TenantSuspended> context) =>
        Add(context, "tenant.suspended", context.Message.TenantId, $"Tenant {context.Message.TenantId} suspended: {context.Message.Reason}", context.Message.At);

    public Task Consume(ConsumeContext<TenantResumed> context) =>
        Add(context, "tenant.resumed", context.Message.TenantId, $"Tenant {context.Message.TenantId} resumed", context.Message.At);

    public Task Consume(ConsumeContext<TenantFailed> context) =>
        Add(context, "tenant.failed", context.Message.TenantId, $"Tenant {context.Message.TenantId} failed: {context.Message.Reason}", context.Message.At);

    public Task Consume(ConsumeContext<TenantDeletionRequested> context) =>
        Add(context, "tenant.deletion-requested", context.Message.TenantId, $"Tenant {context.Message.TenantId} will be deleted after {context.Message.GracePeriod}", context.Message.At);

    public Task Consume(ConsumeContext<TenantDeleted> context) =>
        Add(context, "tenant.deleted", context.Message.TenantId, $"Tenant {context.Message.TenantId} deleted", context.Message.At);

    public Task Consume(ConsumeContext<OrderAwaitingPayment> context) =>
        Add(context, "order.awaiting-payment", context.Message.TenantId, $"Order {context.Message.OrderId.ToString()[..8]} placed: {context.Message.Amount} {context.Message.Currency}", context.Message.At);

    public Task Consume(ConsumeContext<OrderPaymentClosed> context) =>
        Add(context, "order.payment-closed", context.Message.TenantId, $"Order {context.Message.OrderId.ToString()[..8]}: payment {context.Message.Reason}", context.Message.At);

    public Task Consume(ConsumeContext<AlertFired> context) =>
        Add(context, "alert.fired", context.Message.TenantId, $"Alert {context.Message.AlertName} firing ({context.Message.Severity})", context.Message.At);

    public Task Consume(ConsumeContext<AlertResolved> context) =>
        Add(context, "alert.resolved", context.Message.TenantId, $"Alert {context.Message.AlertName} resolved", context.Message.At);

    private Task Add<T>(ConsumeContext<T> context, string type, string? tenantId, string summary, DateTimeOffset at)
        where T : class
    {
        feed.Publish(new FeedEntry(context.MessageId ?? Guid.NewGuid(), type, tenantId, summary, at));
        return Task.CompletedTask;
    }
}
