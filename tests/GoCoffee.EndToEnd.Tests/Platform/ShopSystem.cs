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
        using var api = new HttpClient { BaseAddress = new UriBuilder(TestInfrastructure.RabbitMqApi) { UserName = string.Empty, Password = string.Empty }.Uri };
        api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(TestInfrastructure.RabbitMqApi.UserInfo))));
        var body = JsonSerializer.Serialize(new
        {
            properties = new { content_type = "application/json", delivery_mode = 2 },
            routing_key = string.Empty,
            payload = json,
            payload_encoding = "string",
        });
        using var response = await api.PostAsync($"exchanges/{Uri.EscapeDataString(platform.VirtualHost.Name)}/orders-shop-events/publish", new StringContent(body, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(answer.RootElement.GetProperty("routed").GetBoolean(), "the shop event reached the orders-shop-events queue");
    }
}
