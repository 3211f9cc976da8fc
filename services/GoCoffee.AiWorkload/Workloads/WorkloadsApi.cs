using GoCoffee.AiWorkload.Api;
using GoCoffee.Contracts.Ai;
using GoCoffee.Resources;
using GoCoffee.ServiceDefaults;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;
using Microsoft.Extensions.Options;

namespace GoCoffee.AiWorkload.Workloads;

public sealed record WorkloadSummary(string Name, string Namespace, string Phase, string Model, string? ModelVersion, int Replicas, int ReadyReplicas);

public sealed record WorkloadPage(IReadOnlyList<WorkloadSummary> Items, int Page, int PageSize, int Total);

/// <summary>
/// <c>/api/ai/workloads</c>: AIWorkload documents (JSON or YAML), applied like <c>kubectl apply</c>: a new name creates
/// the workload, a known one changes it; both answer 202 while the deployment saga works. Refused documents answer
/// with a problem naming each field and rule, and nothing is reserved or created for them.
/// </summary>
public static class WorkloadsApi
{
    public static RouteGroupBuilder MapWorkloadsApi(this RouteGroupBuilder api)
    {
        var workloads = api.MapGroup("/workloads").WithTags("ai-workloads");
        workloads.MapPost("/", Apply).WithName("applyAiWorkload").WithSummary("Create or change an AI workload (AIWorkload document)");
        workloads.MapGet("/", List).WithName("listAiWorkloads").WithSummary("The tenant's AI workloads, paged");
        workloads.MapGet("/{name}", Get).WithName("getAiWorkload").WithSummary("An AI workload with its status");
        workloads.MapDelete("/{name}", Delete).WithName("deleteAiWorkload").WithSummary("Remove the workload's objects and release its GPUs");
        return api;
    }

    internal static async Task<IResult> Apply(HttpContext http, string? tenantId, IDocumentSession session, IOutbox outbox, IOptions<AiWorkloadOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (tenant, denied) = Caller.Tenant(http.User, tenantId);
        if (denied is not null)
        {
            return denied;
        }

        var (resource, problem) = await ResourceBodies.Read<AiWorkloadResource>(http.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var outcome = await WorkloadDecisions.Apply(session, outbox, options.Value, tenant!, resource!, AiWorkload.ApiSource, clock.GetUtcNow(), cancellationToken);
        if (outcome.Errors.Count > 0)
        {
            return ApiProblems.Invalid(outcome.Errors, "The AI workload is invalid.");
        }

        await session.SaveChangesAsync(cancellationToken);
        var workload = outcome.Workload!;
        return TypedResults.Accepted($"/api/ai/workloads/{workload.Name}?namespace={workload.Namespace}", workload.ToResource());
    }

    internal static async Task<IResult> List(HttpContext http, string? tenantId, int? page, int? pageSize, IQuerySession session, CancellationToken cancellationToken)
    {
        var (tenant, denied) = Caller.Tenant(http.User, tenantId);
        if (denied is not null)
        {
            return denied;
        }

        if (FieldProblems.Paging(page, pageSize, out var number, out var size) is { } badPaging)
        {
            return badPaging;
        }

        var query = session.Query<AiWorkload>().Where(w => w.TenantId == tenant);
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderBy(w => w.Namespace).ThenBy(w => w.Name).Skip((number - 1) * size).Take(size).ToListAsync(cancellationToken);
        return TypedResults.Ok(new WorkloadPage(
            [.. items.Select(w => new WorkloadSummary(w.Name, w.Namespace, w.Status.Phase, w.Spec.Model?.Name ?? string.Empty, w.Status.ModelStatus.Version, w.Status.Replicas, w.Status.ReadyReplicas))],
            number,
            size,
            total));
    }

    internal static async Task<IResult> Get(string name, HttpContext http, string? tenantId, string? @namespace, IQuerySession session, CancellationToken cancellationToken)
    {
        var (tenant, denied) = Caller.Tenant(http.User, tenantId);
        if (denied is not null)
        {
            return denied;
        }

        var workload = await session.LoadAsync<AiWorkload>(AiWorkload.IdOf(tenant!, @namespace ?? WorkloadDecisions.NamespaceName(tenant!, 1), name), cancellationToken);
        return workload is null ? ApiProblems.NotFound("AI workload", name) : TypedResults.Ok(workload.ToResource());
    }

    internal static async Task<IResult> Delete(string name, HttpContext http, string? tenantId, string? @namespace, IDocumentSession session, IOutbox outbox, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (tenant, denied) = Caller.Tenant(http.User, tenantId);
        if (denied is not null)
        {
            return denied;
        }

        var workload = await session.LoadAsync<AiWorkload>(AiWorkload.IdOf(tenant!, @namespace ?? WorkloadDecisions.NamespaceName(tenant!, 1), name), cancellationToken);
        if (workload is null)
        {
            return ApiProblems.NotFound("AI workload", name);
        }

        if (workload.Source == AiWorkload.ClusterSource)
        {
            return ApiProblems.Conflict("metadata.name", "the workload is a custom resource: delete it with kubectl");
        }

        outbox.Publish(new AiWorkloadDeletionRequested(AiWorkloadCorrelation.For(workload.Id), workload.Id, clock.GetUtcNow()), tenant);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted($"/api/ai/workloads/{workload.Name}?namespace={workload.Namespace}", workload.ToResource());
    }
}
