using GoCoffee.Contracts.Observability;
using GoCoffee.Observability.Stacks.Api;
using GoCoffee.Resources;
using GoCoffee.ServiceDefaults;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;

namespace GoCoffee.Observability.Stacks;

public sealed record StackSummary(string Name, string Namespace, string StackName, string Phase, StackMetrics? Metrics);

public sealed record StackPage(IReadOnlyList<StackSummary> Items, int Page, int PageSize, int Total);

/// <summary>
/// <c>/api/observability/stacks</c>: ObservabilityStack documents (JSON or YAML), applied like <c>kubectl apply</c>: a
/// new name creates the stack, a known one changes it; both answer 202 while the stack saga works. Refused documents
/// answer with a problem naming each field and rule (an invalid rule expression with promtool's parse error), and
/// nothing is applied for them.
/// </summary>
public static class StacksApi
{
    public static RouteGroupBuilder MapStacksApi(this RouteGroupBuilder api)
    {
        var stacks = api.MapGroup("/stacks").WithTags("observability-stacks");
        stacks.MapPost("/", Apply).WithName("applyObservabilityStack").WithSummary("Create or change an observability stack (ObservabilityStack document)");
        stacks.MapGet("/", List).WithName("listObservabilityStacks").WithSummary("The tenant's observability stacks, paged");
        stacks.MapGet("/{name}", Get).WithName("getObservabilityStack").WithSummary("An observability stack with its status");
        stacks.MapDelete("/{name}", Delete).WithName("deleteObservabilityStack").WithSummary("Remove the stack's objects");
        return api;
    }

    internal static async Task<IResult> Apply(HttpContext http, string? tenantId, IDocumentSession session, IOutbox outbox, StackDecisions decisions, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (tenant, denied) = Caller.Tenant(http.User, tenantId);
        if (denied is not null)
        {
            return denied;
        }

        var (resource, problem) = await ResourceBodies.Read<ObservabilityStackResource>(http.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var outcome = await decisions.Apply(session, outbox, tenant!, resource!, ObservabilityStack.ApiSource, clock.GetUtcNow(), cancellationToken);
        if (outcome.Unavailable is not null)
        {
            // The rules could not be checked: nothing is accepted unchecked.
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "The rule check is unavailable.",
                detail: $"spec.monitoring.rules: {outcome.Unavailable}",
                extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["spec.monitoring.rules"] = [outcome.Unavailable] } });
        }

        if (outcome.Errors.Count > 0)
        {
            return FieldProblems.Invalid(outcome.Errors, "The observability stack is invalid.");
        }

        await session.SaveChangesAsync(cancellationToken);
        var stack = outcome.Stack!;
        return TypedResults.Accepted($"/api/observability/stacks/{stack.Name}?namespace={stack.Namespace}", stack.ToResource());
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

        var query = session.Query<ObservabilityStack>().Where(s => s.TenantId == tenant);
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderBy(s => s.Namespace).ThenBy(s => s.Name).Skip((number - 1) * size).Take(size).ToListAsync(cancellationToken);
        return TypedResults.Ok(new StackPage([.. items.Select(s => new StackSummary(s.Name, s.Namespace, s.Spec.StackName ?? string.Empty, s.Status.Phase, s.Status.Metrics))], number, size, total));
    }

    internal static async Task<IResult> Get(string name, HttpContext http, string? tenantId, string? @namespace, IQuerySession session, CancellationToken cancellationToken)
    {
        var (tenant, denied) = Caller.Tenant(http.User, tenantId);
        if (denied is not null)
        {
            return denied;
        }

        var stack = await session.LoadAsync<ObservabilityStack>(ObservabilityStack.IdOf(tenant!, @namespace ?? StackDecisions.NamespaceName(tenant!, 1), name), cancellationToken);
        return stack is null ? FieldProblems.NotFound("observability stack", name) : TypedResults.Ok(stack.ToResource());
    }

    internal static async Task<IResult> Delete(string name, HttpContext http, string? tenantId, string? @namespace, IDocumentSession session, IOutbox outbox, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (tenant, denied) = Caller.Tenant(http.User, tenantId);
        if (denied is not null)
        {
            return denied;
        }

        var stack = await session.LoadAsync<ObservabilityStack>(ObservabilityStack.IdOf(tenant!, @namespace ?? StackDecisions.NamespaceName(tenant!, 1), name), cancellationToken);
        if (stack is null)
        {
            return FieldProblems.NotFound("observability stack", name);
        }

        if (stack.Source == ObservabilityStack.ClusterSource)
        {
            return FieldProblems.Problem(StatusCodes.Status409Conflict, "The request conflicts with the stack's current state.", "metadata.name", "the stack is a custom resource: delete it with kubectl");
        }

        outbox.Publish(new ObservabilityStackDeletionRequested(ObservabilityStackCorrelation.For(stack.Id), stack.Id, clock.GetUtcNow()), tenant);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted($"/api/observability/stacks/{stack.Name}?namespace={stack.Namespace}", stack.ToResource());
    }
}
