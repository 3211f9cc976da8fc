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

    /// <summary>Delivers <paramref name="command"/> and returns the one answer its consumer published.</summary>
    public async Task<TAnswer> Answer<TAnswer>(object command) where TAnswer : class
    {
        var before = Outbox.Published.Count;
        var id = Guid.NewGuid();
        await _harness.Bus.Publish(command, context => context.MessageId = id);
        Assert.True(await _harness.Consumed.Any(message => message.Context.MessageId == id), $"{command.GetType().Name} was not consumed");
        var fault = _harness.Consumed.Select(message => message.Context.MessageId == id).FirstOrDefault()?.Exception;
        Assert.Null(fault);
        return Assert.IsType<TAnswer>(Assert.Single(Outbox.Published.Skip(before)));
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.Stop();
        await _provider.DisposeAsync();
    }
}
