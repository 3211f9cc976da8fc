using System.Text.Json;
using GoCoffee.AiWorkload.Workloads;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;
using MassTransit;

namespace GoCoffee.AiWorkload.Scaling;

/// <summary>A collector's GPU utilisation sample, as it publishes it (plain JSON, see <c>gpu-utilisation.schema.json</c>).</summary>
public sealed record GpuUtilisationEvent(string TenantId, string Namespace, string Workload, double GpuUtilisation, DateTimeOffset At);

/// <summary>What the consumer takes off the queue: no body is bound by the serializer, so every body reaches the schema check.</summary>
public sealed class GpuUtilisationEnvelope;

/// <summary>A utilisation event that cannot be applied: moved to <c>ai-workload-gpu-utilisation_error</c> with this reason, never retried.</summary>
public sealed class GpuUtilisationRejectedException(string reason) : ArgumentException(reason);

/// <summary>The published schema, which is also what every utilisation event is validated against.</summary>
public static class GpuUtilisationSchema
{
    public const string Exchange = "ai-workload-gpu-utilisation";
    public const string Path = "/api/ai/schemas/gpu-utilisation.json";

    public static readonly JsonEventSchema Events = JsonEventSchema.Embedded<GpuUtilisationEvent>("GoCoffee.AiWorkload.Scaling.gpu-utilisation.schema.json");
}

/// <summary>
/// Takes utilisation events off <c>ai-workload-gpu-utilisation</c>: validates each against the schema, checks it names a
/// running GPU-scaled workload of that tenant, and has the autoscaler decide on it exactly as on a Prometheus sample
/// (the same HPA computation, the same stabilisation, every extra replica reserved in the tenant's ledger first).
/// Anything else is rejected with the reason; nothing changes.
/// </summary>
public sealed class GpuUtilisationConsumer(IServiceProvider services, GpuAutoscaler autoscaler) : IConsumer<GpuUtilisationEnvelope>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task Consume(ConsumeContext<GpuUtilisationEnvelope> context)
    {
        var body = context.ReceiveContext.Body.GetBytes();
        if (GpuUtilisationSchema.Events.Violations(body) is { } violations)
        {
            throw new GpuUtilisationRejectedException($"The utilisation event does not match {GpuUtilisationSchema.Path}: {violations}");
        }

        var sample = JsonSerializer.Deserialize<GpuUtilisationEvent>(body, Json)!;
        var id = Workloads.AiWorkload.IdOf(sample.TenantId, sample.Namespace, sample.Workload);
        var workload = await services.GetRequiredService<IDocumentSession>().LoadAsync<Workloads.AiWorkload>(id, context.CancellationToken);
        if (workload is null)
        {
            throw new GpuUtilisationRejectedException($"workload: tenant '{sample.TenantId}' has no AI workload {sample.Namespace}/{sample.Workload}");
        }

        if (!WorkloadRules.IsGpuScaled(workload.Spec))
        {
            throw new GpuUtilisationRejectedException($"workload: {sample.Namespace}/{sample.Workload} is not GPU-scaled (its HorizontalPodAutoscaler scales it on CPU)");
        }

        if (workload.Status.Phase != AiWorkloadPhase.Running)
        {
            throw new GpuUtilisationRejectedException($"workload: {sample.Namespace}/{sample.Workload} is {workload.Status.Phase}; utilisation scales a workload only while it is Running");
        }

        await autoscaler.Decide(services, id, sample.GpuUtilisation, context.CancellationToken);
    }
}

/// <summary>The queue <c>ai-workload-gpu-utilisation</c>, bound to the fanout exchange of the same name, reading plain JSON.</summary>
public sealed class GpuUtilisationConsumerDefinition : ConsumerDefinition<GpuUtilisationConsumer>
{
    public GpuUtilisationConsumerDefinition() => EndpointName = GpuUtilisationSchema.Exchange;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<GpuUtilisationConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.ConfigureConsumeTopology = false;
        endpointConfigurator.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);
    }
}
