using System.Net;
using GoCoffee.Contracts.Tenants;
using GoCoffee.Gateway.Callers;
using GoCoffee.ServiceDefaults.Messaging;
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
        using var refusals = new Refusals(nameof(ApiKeyIssued));
        var forger = await platform.VirtualHost.CreateUser("key-forger", new BrokerPermissions(@"^(key-forger.*|GoCoffee\..*)$", @"^(key-forger.*|GoCoffee\..*)$", "^key-forger.*$"));
        var real = platform.KeyOf("alpha").Key;
        var byForger = real[..^12] + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..12].ToLowerInvariant();
        var unsigned = real[..^12] + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..12].ToLowerInvariant();

        // Another broker user (its own user_id, which the broker vouches for), and the administrator with no user_id.
        await BrokerPublisher.Publish(forger, Issued(byForger, "forged-by-user"));
        await BrokerPublisher.Publish(platform.VirtualHost.ConnectionString, Issued(unsigned, "forged-unsigned"), stampSender: false);

        // The gateway's queue is temporary (one per instance): a refusal is logged and counted, the message dropped.
        await TestInfrastructure.Eventually(
            () => Task.FromResult(refusals.Senders.Count >= 2 ? (bool?)true : null),
            Timeout,
            "the gateway refuses both forged ApiKeyIssued events");

        Assert.Contains($"{platform.VirtualHost.UserPrefix}key-forger", refusals.Senders);
        Assert.Contains("none", refusals.Senders);
        Assert.Null(platform.Directory.FindKey(ApiKeyAuthentication.HashOf(byForger)));
        Assert.Null(platform.Directory.FindKey(ApiKeyAuthentication.HashOf(unsigned)));
        foreach (var key in new[] { byForger, unsigned })
        {
            using var client = platform.WithKey(key);
            await Problem.Assert(await client.GetAsync("/api/tenants/alpha"), HttpStatusCode.Unauthorized, "API key is not valid");
        }
    }

    /// <summary>The senders of the messages of one type that this process refused, from the refusal counter.</summary>
    private sealed class Refusals : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();

        public Refusals(string messageType)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == TrustedSenderFilter<object>.RefusedCounter)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            {
                string? type = null, sender = null;
                foreach (var tag in tags)
                {
                    type = tag.Key == "message_type" ? tag.Value as string : type;
                    sender = tag.Key == "sender" ? tag.Value as string : sender;
                }

                if (type == messageType && sender is not null)
                {
                    Senders.Add(sender);
                }
            });
            _listener.Start();
        }

        public System.Collections.Concurrent.ConcurrentBag<string> Senders { get; } = [];

        public void Dispose() => _listener.Dispose();
    }

    private static ApiKeyIssued Issued(string key, string keyId) =>
        new("alpha", keyId, ApiKeyAuthentication.HashOf(key), ["tenant:admin"], DateTimeOffset.UtcNow, null);
}
