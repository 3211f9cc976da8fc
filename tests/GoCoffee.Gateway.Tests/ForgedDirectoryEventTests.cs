using System.Net;
using GoCoffee.Contracts.Tenants;
using GoCoffee.Gateway.Callers;
using GoCoffee.Testing;

namespace GoCoffee.Gateway.Tests;

/// <summary>The tenant directory's events are trusted only from the tenant service's broker user.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ForgedDirectoryEventTests(GatewayPlatform platform)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_forged_ApiKeyIssued_published_straight_onto_the_broker_gives_no_working_key()
    {
        var forger = await platform.VirtualHost.CreateUser("key-forger", new BrokerPermissions(@"^(key-forger.*|GoCoffee\..*)$", @"^(key-forger.*|GoCoffee\..*)$", "^key-forger.*$"));
        var real = platform.KeyOf("alpha").Key;
        var byForger = real[..^12] + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..12].ToLowerInvariant();
        var unsigned = real[..^12] + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..12].ToLowerInvariant();

        // Another broker user (its own user_id, which the broker vouches for), and the administrator with no user_id.
        await BrokerPublisher.Publish(forger, Issued(byForger, "forged-by-user"));
        await BrokerPublisher.Publish(platform.VirtualHost.ConnectionString, Issued(unsigned, "forged-unsigned"), stampSender: false);

        var errors = $"{GatewayExtensions.Identity.Name}-tenant-directory-{GatewayExtensions.Identity.Instance}".ToLowerInvariant() + "_error";
        var refused = await TestInfrastructure.Eventually(
            async () =>
            {
                var messages = await platform.VirtualHost.PeekMessages(errors, 50);
                var reasons = messages.Where(m => m.Payload.Contains("forged-by-user", StringComparison.Ordinal) || m.Payload.Contains("forged-unsigned", StringComparison.Ordinal)).ToList();
                return reasons.Count == 2 ? reasons : null;
            },
            Timeout,
            "the gateway refuses both forged ApiKeyIssued events to its _error queue");

        Assert.All(refused, message => Assert.Contains("only the tenant service", message.FaultMessage, StringComparison.Ordinal));
        Assert.Null(platform.Directory.FindKey(ApiKeyAuthentication.HashOf(byForger)));
        Assert.Null(platform.Directory.FindKey(ApiKeyAuthentication.HashOf(unsigned)));
        foreach (var key in new[] { byForger, unsigned })
        {
            using var client = platform.WithKey(key);
            await Problem.Assert(await client.GetAsync("/api/tenants/alpha"), HttpStatusCode.Unauthorized, "API key is not valid");
        }
    }

    private static ApiKeyIssued Issued(string key, string keyId) =>
        new("alpha", keyId, ApiKeyAuthentication.HashOf(key), ["tenant:admin"], DateTimeOffset.UtcNow, null);
}
