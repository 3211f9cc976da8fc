using GoCoffee.Contracts.Platform;
using Marten;
using MassTransit;

namespace GoCoffee.Observability.Probes;

public sealed class ProbeAnswerConsumer(IDocumentSession session, TimeProvider clock, ILogger<ProbeAnswerConsumer> logger) : IConsumer<PlatformProbeAnswered>
{
    public Task Consume(ConsumeContext<PlatformProbeAnswered> context)
    {
        var answer = context.Message;
        logger.LogInformation("Platform probe {ProbeId} answered by {Service} ({Instance})", answer.ProbeId, answer.Service, answer.Instance);
        session.Store(new ProbeAnswer
        {
            Id = $"{answer.ProbeId:N}:{answer.Service}:{answer.Instance}",
            ProbeId = answer.ProbeId,
            Service = answer.Service,
            Instance = answer.Instance,
            AnsweredAt = answer.ReceivedAt,
            RecordedAt = clock.GetUtcNow(),
        });
        return Task.CompletedTask;
    }
}
