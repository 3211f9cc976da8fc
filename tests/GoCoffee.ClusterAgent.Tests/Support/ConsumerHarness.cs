using GoCoffee.ClusterAgent.Deletion;
using GoCoffee.ClusterAgent.Provisioning;
using GoCoffee.ClusterAgent.Targets;
using GoCoffee.ClusterAgent.Tenants;
using GoCoffee.ClusterAgent.Workloads;
using GoCoffee.ServiceDefaults.Messaging;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GoCoffee.ClusterAgent.Tests.Support;

/// <summary>
/// The cluster-agent's consumers on MassTransit's in-memory test harness, against a given target, with a recording
/// outbox: what a consumer decides, without RabbitMQ or PostgreSQL (the integration tests cover those).
/// </summary>
public sealed class ConsumerHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly ITestHarness _harness;

    private ConsumerHarness(ServiceProvider provider, ITestHarness harness, RecordingOutbox outbox)
    {
        _provider = provider;
        _harness = harness;
        Outbox = outbox;
    }

    public RecordingOutbox Outbox { get; }

    public static async Task<ConsumerHarness> Start(IClusterTarget target)
    {
        var outbox = new RecordingOutbox();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(target);
        services.AddSingleton<IOutbox>(outbox);
        services.AddOptions<TenantNetworkOptions>();
        services.AddMassTransitTestHarness(bus =>
        {
            bus.DisableUsageReporting();
            bus.AddConsumer<ProvisionTenantNamespacesConsumer>();
            bus.AddConsumer<ScaleTenantWorkloadsConsumer>();
            bus.AddConsumer<PlanTenantDeletionConsumer>();
            bus.AddConsumer<DeleteTenantObjectsConsumer>();
        });
        var provider = services.BuildServiceProvider(validateScopes: true);
        var harness = provider.GetRequiredService<ITestHarness>();
        harness.TestTimeout = TimeSpan.FromSeconds(60);
        harness.TestInactivityTimeout = TimeSpan.FromSeconds(5);
        await harness.Start();
        return new ConsumerHarness(provider, harness, outbox);
    }

    /// <summary>
    /// Delivers <paramref name="command"/> (with <paramref name="messageId"/>, to deliver one again as a redelivery does,
    /// or a new id) and returns the one answer its consumer published.
    /// </summary>
    public async Task<TAnswer> Answer<TAnswer>(object command, Guid? messageId = null) where TAnswer : class
    {
        var before = Outbox.Published.Count;
        var id = messageId ?? Guid.NewGuid();
        await _harness.Bus.Publish(command, context => context.MessageId = id);

        // The harness lists a message id once, so a second delivery of one is recognised by its answer.
        var deadline = DateTime.UtcNow + _harness.TestTimeout;
        while (Outbox.Published.Count <= before)
        {
            var fault = _harness.Consumed.Select(message => message.Context.MessageId == id).LastOrDefault()?.Exception;
            Assert.Null(fault);
            Assert.True(DateTime.UtcNow < deadline, $"{command.GetType().Name} was not answered");
            await Task.Delay(20);
        }

        return Assert.IsType<TAnswer>(Assert.Single(Outbox.Published.Skip(before)));
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.Stop();
        await _provider.DisposeAsync();
    }
}
