using System.Text;
using System.Text.Json;
using GoCoffee.Testing;
using Xunit;

namespace GoCoffee.EndToEnd.Tests.Platform;

/// <summary>A coffee shop's own system: publishes plain JSON shop events on the exchange <c>orders-shop-events</c> of the run's virtual host.</summary>
public static class ShopSystem
{
    public static async Task Publish(PlatformFixture platform, Guid orderId, string tenantId, string step)
    {
        var json = JsonSerializer.Serialize(new { orderId, tenantId, @event = step, shopId = "e2e-shop", at = DateTimeOffset.UtcNow });
        Assert.True(await platform.VirtualHost.PublishJson("orders-shop-events", json), "the shop event reached the orders-shop-events queue");
    }
}
