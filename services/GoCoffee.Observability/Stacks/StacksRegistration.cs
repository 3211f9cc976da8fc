using GoCoffee.ServiceDefaults.Messaging;
using Marten;
using MassTransit;

namespace GoCoffee.Observability.Stacks;

/// <summary>The observability stacks feature: its options and services, its documents and saga, its API.</summary>
public static class StacksRegistration
{
    public static IHostApplicationBuilder AddObservabilityStacks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StacksOptions>().Bind(builder.Configuration.GetSection(StacksOptions.Section))
            .Validate(o => o.StepTimeout > TimeSpan.Zero && o.MetricsInterval > TimeSpan.Zero && o.PromtoolTimeout > TimeSpan.Zero && o.Promtool.Length > 0, "Observability:Stacks: StepTimeout, MetricsInterval and PromtoolTimeout must be positive; Promtool set.")
            .ValidateOnStart();
        builder.Services.AddSingleton<PlatformPack>();
        builder.Services.AddSingleton<RuleExpressionCheck>();
        builder.Services.AddSingleton<StackDecisions>();
        builder.Services.AddHttpClient(nameof(StackMetricsReader), client => client.Timeout = TimeSpan.FromSeconds(5));
        builder.Services.AddHostedService<StackMetricsReader>();
        return builder;
    }

    public static StoreOptions AddObservabilityStacks(this StoreOptions store)
    {
        store.Schema.For<ObservabilityStack>().UseOptimisticConcurrency(true).Index(s => s.TenantId);
        store.AddSaga<StackState>();
        return store;
    }

    public static IBusRegistrationConfigurator AddObservabilityStacks(this IBusRegistrationConfigurator bus)
    {
        bus.AddSagaStateMachine<StackStateMachine, StackState>().MartenRepository();
        bus.AddConsumer<StackResourceAppliedConsumer>();
        bus.AddConsumer<StackResourceDeletedConsumer>();
        return bus;
    }
}
