using GoCoffee.Contracts.Platform;
using MassTransit;

namespace GoCoffee.ServiceDefaults.Messaging;

/// <summary>Every service answers a platform probe, through its outbox, so the answer proves the whole reliable path.</summary>
public sealed class PlatformProbeConsumer(IOutbox outbox, PlatformProbeResponder responder) : IConsumer<PlatformProbeRequested>
{
    public Task Consume(ConsumeContext<PlatformProbeRequested> context)
    {
        outbox.Publish(responder.Answer(context.Message), correlationId: context.Message.ProbeId);
        return Task.CompletedTask;
    }
}

public sealed class PlatformProbeResponder(ServiceIdentity identity, TimeProvider clock)
{
    public PlatformProbeAnswered Answer(PlatformProbeRequested probe) =>
        new(probe.ProbeId, identity.Name, identity.Instance, clock.GetUtcNow());
}
