using GoCoffee.Contracts.Tenants;
using MassTransit;

namespace GoCoffee.Gateway.Tenancy;

/// <summary>Keeps the gateway's <see cref="TenantDirectory"/> current: every replica receives every event (its own queue).</summary>
public sealed class TenantDirectoryConsumer(TenantDirectory directory, ILogger<TenantDirectoryConsumer> logger) :
    IConsumer<ApiKeyIssued>,
    IConsumer<ApiKeyRevoked>,
    IConsumer<TenantActivated>,
    IConsumer<TenantTierChanged>,
    IConsumer<TenantSuspended>,
    IConsumer<TenantResumed>,
    IConsumer<TenantDeleted>
{
    public Task Consume(ConsumeContext<ApiKeyIssued> context) => Apply(context.Message, context.Message.TenantId);

    public Task Consume(ConsumeContext<ApiKeyRevoked> context) => Apply(context.Message, context.Message.TenantId);

    public Task Consume(ConsumeContext<TenantActivated> context) => Apply(context.Message, context.Message.TenantId);

    public Task Consume(ConsumeContext<TenantTierChanged> context) => Apply(context.Message, context.Message.TenantId);

    public Task Consume(ConsumeContext<TenantSuspended> context) => Apply(context.Message, context.Message.TenantId);

    public Task Consume(ConsumeContext<TenantResumed> context) => Apply(context.Message, context.Message.TenantId);

    public Task Consume(ConsumeContext<TenantDeleted> context) => Apply(context.Message, context.Message.TenantId);

    private Task Apply(object message, string tenantId)
    {
        directory.Apply(message);
        logger.LogInformation("Tenant directory: {Event} for tenant {TenantId}", message.GetType().Name, tenantId);
        return Task.CompletedTask;
    }
}
