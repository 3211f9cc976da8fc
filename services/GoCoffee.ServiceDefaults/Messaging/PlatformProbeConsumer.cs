using GoCoffee.Contracts.Platform;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace GoCoffee.ServiceDefaults.Messaging;

/// <summary>Every service answers a platform probe, through its outbox, so the answer proves the whole reliable path.</summary>
public sealed class PlatformProbeConsumer(IOutbox outbox, PlatformProbeResponder responder, ILogger<PlatformProbeConsumer> logger) : IConsumer<PlatformProbeRequested>
{
    public Task Consume(ConsumeContext<PlatformProbeRequested> context)
    {
        logger.LogInformation("Answering platform probe {ProbeId}", context.Message.ProbeId);
        outbox.Publish(responder.Answer(context.Message), correlationId: context.Message.ProbeId);
        return Task.CompletedTask;
    }
}

public sealed class PlatformProbeResponder(ServiceIdentity identity, TimeProvider clock)
{
    public PlatformProbeAnswered Answer(PlatformProbeRequested probe) =>
        new(probe.ProbeId, identity.Name, identity.Instance, clock.GetUtcNow());
}
