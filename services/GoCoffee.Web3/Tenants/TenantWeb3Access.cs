using GoCoffee.Contracts.Tenants;
using Marten;
using MassTransit;

namespace GoCoffee.Web3.Tenants;

/// <summary>This service's picture of a tenant: whether it takes crypto payments and on which networks.</summary>
public sealed class TenantWeb3Access
{
    public string Id { get; set; } = string.Empty;

    public bool Enabled { get; set; }

    public List<string> Networks { get; set; } = [];

    /// <summary>The tenant's stream version the picture is from: an older or repeated message changes nothing.</summary>
    public long Version { get; set; }

    public bool Allows(string network) => Enabled && Networks.Contains(network, StringComparer.Ordinal);
}

/// <summary>Keeps <see cref="TenantWeb3Access"/> from the tenant service's <see cref="TenantServicesChanged"/> (newest version wins).</summary>
public sealed class TenantServicesChangedConsumer(IDocumentSession session) : IConsumer<TenantServicesChanged>
{
    public async Task Consume(ConsumeContext<TenantServicesChanged> context)
    {
        var message = context.Message;
        var access = await session.LoadAsync<TenantWeb3Access>(message.TenantId, context.CancellationToken);
        if (access is not null && access.Version >= message.Version)
        {
            return;
        }

        access ??= new TenantWeb3Access { Id = message.TenantId };
        access.Enabled = message.Web3.Enabled;
        access.Networks = [.. message.Web3.Networks];
        access.Version = message.Version;
        session.Store(access);
    }
}
