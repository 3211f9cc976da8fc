using GoCoffee.Contracts.Platform;
using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.ServiceDefaults.Security;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GoCoffee.Observability.Probes;

public static class ProbesApi
{
    public static RouteGroupBuilder MapProbesApi(this RouteGroupBuilder api)
    {
        // Platform diagnostics: for operators, not for a tenant's callers.
        api.MapPost("/probes", StartProbe).WithName("startPlatformProbe").WithSummary("Ask every service to answer over the bus").RequirePlatformAdmin();
        api.MapGet("/probes/{id:guid}", GetProbe).WithName("getPlatformProbe").WithSummary("Which services answered a probe, and how fast").RequirePlatformAdmin();
        return api;
    }

    private static async Task<Accepted<PlatformProbeView>> StartProbe(IDocumentSession session, IOutbox outbox, TimeProvider clock, CancellationToken cancellationToken)
    {
        var probe = new PlatformProbe { Id = Guid.CreateVersion7(), RequestedAt = clock.GetUtcNow(), RequestedTraceId = System.Diagnostics.Activity.Current?.TraceId.ToString() };
        session.Insert(probe);
        outbox.Publish(new PlatformProbeRequested(probe.Id, probe.RequestedAt), correlationId: probe.Id);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted($"{ObservabilityService.Identity.RoutePrefix}/probes/{probe.Id}", new PlatformProbeView(probe.Id, probe.RequestedAt, []));
    }

    private static async Task<Results<Ok<PlatformProbeView>, NotFound>> GetProbe(Guid id, IQuerySession session, CancellationToken cancellationToken)
    {
        var probe = await session.LoadAsync<PlatformProbe>(id, cancellationToken);
        if (probe is null)
        {
            return TypedResults.NotFound();
        }

        var answers = await session.Query<ProbeAnswer>().Where(x => x.ProbeId == id).OrderBy(x => x.Service).ToListAsync(cancellationToken);
        return TypedResults.Ok(new PlatformProbeView(
            probe.Id,
            probe.RequestedAt,
            answers.Select(a => new ProbeAnswerView(a.Service, a.Instance, a.AnsweredAt, (a.RecordedAt - probe.RequestedAt).TotalMilliseconds)).ToList()));
    }
}
