using GoCoffee.Contracts.Tenants;
using Marten;
using MassTransit;

namespace GoCoffee.Orders.Tenants;

/// <summary>What the orders service knows of a tenant's coffee access, from <see cref="TenantServicesChanged"/>.</summary>
public sealed class TenantCoffee
{
    public const string PremiumBlends = "premium-blends";

    public const string CustomOrders = "custom-orders";

    /// <summary>The tenant id.</summary>
    public string Id { get; set; } = string.Empty;

    public bool Enabled { get; set; }

    public List<string> Features { get; set; } = [];

    public string Tier { get; set; } = string.Empty;

    /// <summary>The tenant stream's version the picture comes from: an older or equal event changes nothing.</summary>
    public long Version { get; set; }

    public bool Deleted { get; set; }

    public bool Has(string feature) => Enabled && !Deleted && Features.Contains(feature, StringComparer.Ordinal);
}

/// <summary>Keeps <see cref="TenantCoffee"/> current; late, repeated or out-of-order events are ignored by version.</summary>
public sealed class TenantServicesChangedConsumer(IDocumentSession session) : IConsumer<TenantServicesChanged>
{
    public async Task Consume(ConsumeContext<TenantServicesChanged> context)
    {
        var message = context.Message;
        var known = await session.LoadAsync<TenantCoffee>(message.TenantId, context.CancellationToken);
        if (known is not null && known.Version >= message.Version)
        {
            return;
        }

        known ??= new TenantCoffee { Id = message.TenantId };
        known.Enabled = message.Coffee.Enabled;
        known.Features = [.. message.Coffee.Features];
        known.Tier = message.Tier;
        known.Version = message.Version;
        session.Store(known);
    }
}

/// <summary>A deleted tenant sells nothing more: its coffee access is withdrawn.</summary>
public sealed class TenantDeletedConsumer(IDocumentSession session) : IConsumer<TenantDeleted>
{
    public async Task Consume(ConsumeContext<TenantDeleted> context)
    {
        var known = await session.LoadAsync<TenantCoffee>(context.Message.TenantId, context.CancellationToken) ?? new TenantCoffee { Id = context.Message.TenantId };
        if (known.Version > context.Message.Version)
        {
            return;
        }

        known.Deleted = true;
        known.Enabled = false;
        known.Version = context.Message.Version;
        session.Store(known);
    }
}
