using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GoCoffee.Contracts.Tenants;
using GoCoffee.ServiceDefaults;
using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.ServiceDefaults.Security;
using GoCoffee.Tenant.ApiKeys;
using GoCoffee.Resources;
using GoCoffee.Tenant.Lifecycle;
using GoCoffee.Tenant.Planning;
using GoCoffee.Tenant.Quotas;
using GoCoffee.Tenant.Tiers;
using GoCoffee.Tenant.Validation;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace GoCoffee.Tenant.Api;

public static class TenantsApi
{
    public const int MaxDocumentBytes = 256 * 1024;

    public const int DefaultAuditPageSize = 100;

    public const int MaxAuditPageSize = 500;

    public static RouteGroupBuilder MapTenantsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/", Create).WithName("createTenant").WithSummary("Create a tenant from its resource document (JSON or YAML)")
            .Accepts<TenantResource>("application/json", "application/yaml").RequirePlatformAdmin()
            .Produces<TenantCreatedResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapGet("/", List).WithName("listTenants").WithSummary("List tenants, paged: every tenant for a platform admin, its own for a tenant's caller").RequireAuthorization();
        api.MapGet("/{tenantId}", Get).WithName("getTenant").WithSummary("A tenant: spec and status").RequireTenantAccess()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPatch("/{tenantId}", Change).WithName("changeTenant").WithSummary("Change tier, resources, services, owners or other spec sections")
            .Accepts<TenantSpec>("application/json", "application/merge-patch+json", "application/yaml").RequireTenantAccess()
            .Produces<TenantResource>(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapPost("/{tenantId}/suspend", Suspend).WithName("suspendTenant").WithSummary("Scale the tenant's workloads to zero and refuse its traffic").RequirePlatformAdmin()
            .Produces<TenantResource>(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/{tenantId}/resume", Resume).WithName("resumeTenant").WithSummary("Bring a suspended tenant back").RequirePlatformAdmin()
            .Produces<TenantResource>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapDelete("/{tenantId}", Delete).WithName("deleteTenant").WithSummary("Plan the tenant's deletion; objects are removed after the grace period").RequirePlatformAdmin()
            .Produces<TenantResource>(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/{tenantId}/deletion-plan", DeletionPlan).WithName("getTenantDeletionPlan").WithSummary("Every object a pending deletion will remove, and when").RequireTenantAccess()
            .Produces<DeletionPlanView>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/{tenantId}/deletion/cancel", CancelDeletion).WithName("cancelTenantDeletion").WithSummary("Cancel a deletion during its grace period").RequirePlatformAdmin()
            .Produces(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/{tenantId}/audit", Audit).WithName("listTenantAudit").WithSummary("Every change to the tenant: what, who and when, a page at a time (limit, after; Link rel=next)").RequireTenantAccess()
            .Produces<List<AuditEntry>>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    internal static async Task<IResult> Create(HttpContext http, IDocumentSession session, IOutbox outbox, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (body, tooLarge) = await ReadBody(http.Request, cancellationToken);
        if (tooLarge)
        {
            return TooLarge();
        }

        var (resource, error) = ResourceDocument.Read<TenantResource>(body, ResourceDocument.IsYaml(http.Request.ContentType));
        if (error is not null)
        {
            return ApiProblems.Invalid(error.Field, error.Message);
        }

        var errors = TenantValidator.Validate(resource!);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors, "The tenant document is invalid.");
        }

        var spec = resource!.Spec!;
        var tenantId = spec.TenantId!;
        var idempotencyKey = IdempotencyKey(http.Request);
        if (idempotencyKey is { Length: > 200 })
        {
            return ApiProblems.Invalid("Idempotency-Key", "must be at most 200 characters");
        }

        var requestHash = Hash(resource.Metadata?.Name, spec);
        var existing = await session.LoadAsync<Lifecycle.Tenant>(tenantId, cancellationToken);
        if (existing is not null)
        {
            return await Replay(http, session, existing, idempotencyKey, requestHash, cancellationToken);
        }

        var now = clock.GetUtcNow();
        var (key, plainKey) = ApiKey.Issue(tenantId, ApiKeyStatus.Pending, now);
        session.LastModifiedBy = Actor.Of(http);
        TenantDecisions.Register(session, outbox, spec, resource.Metadata?.Name ?? tenantId, Lifecycle.Tenant.ApiSource, idempotencyKey, requestHash, now, key);

        try
        {
            await session.SaveChangesAsync(cancellationToken);
        }
        catch (Exception ex) when (IsDuplicate(ex))
        {
            // Lost a race with the same request (or another one) for this id.
            await using var query = session.DocumentStore.QuerySession();
            var winner = await query.LoadAsync<Lifecycle.Tenant>(tenantId, cancellationToken);
            return winner is null ? ApiProblems.Conflict("spec.tenantId", $"tenant '{tenantId}' is being created by another request") : await Replay(http, query, winner, idempotencyKey, requestHash, cancellationToken);
        }

        var created = await session.LoadAsync<Lifecycle.Tenant>(tenantId, cancellationToken);
        return CreatedAnswer(http, created!, new IssuedApiKey(key.Id, plainKey, "Shown once: store it now. It starts working when the tenant is Active."), replayed: false);
    }

    internal static async Task<Results<Ok<TenantPage>, ValidationProblem>> List(IQuerySession session, ClaimsPrincipal user, int? page, int? pageSize, CancellationToken cancellationToken)
    {
        if (FieldProblems.Paging(page, pageSize, out var number, out var size) is { } badPaging)
        {
            return badPaging;
        }

        // As Kubernetes lists only what RBAC lets the caller see: a tenant's caller sees its own tenant, nothing else.
        IQueryable<Lifecycle.Tenant> visible = session.Query<Lifecycle.Tenant>();
        if (!user.IsPlatformAdmin())
        {
            var own = user.CallerTenantId() ?? string.Empty;
            visible = visible.Where(t => t.Id == own);
        }

        var total = await visible.CountAsync(cancellationToken);
        var tenants = await visible
            .OrderBy(t => t.Id)
            .Skip((number - 1) * size)
            .Take(size)
            .ToListAsync(cancellationToken);
        var items = tenants.Select(t => new TenantSummary(t.Id, t.ResourceName, t.Spec.Tier ?? string.Empty, t.Phase, t.Namespaces.Count, t.CreatedAt)).ToList();
        return TypedResults.Ok(new TenantPage(items, number, size, total));
    }

    internal static async Task<Results<Ok<TenantResource>, ProblemHttpResult>> Get(string tenantId, HttpContext http, IQuerySession session, CancellationToken cancellationToken)
    {
        var tenant = await session.LoadAsync<Lifecycle.Tenant>(tenantId, cancellationToken);
        if (tenant is null)
        {
            return ApiProblems.NotFound(tenantId);
        }

        return TypedResults.Ok(Versioned(http, tenant));
    }

    internal static async Task<IResult> Change(string tenantId, HttpContext http, IDocumentSession session, IOutbox outbox, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (body, tooLarge) = await ReadBody(http.Request, cancellationToken);
        if (tooLarge)
        {
            return TooLarge();
        }

        var (change, error) = ResourceDocument.Read<TenantSpec>(body, ResourceDocument.IsYaml(http.Request.ContentType));
        if (error is not null)
        {
            return ApiProblems.Invalid(error.Field, error.Message);
        }

        var tenant = await session.LoadAsync<Lifecycle.Tenant>(tenantId, cancellationToken);
        if (tenant is null)
        {
            return ApiProblems.NotFound(tenantId);
        }

        if (IfMatch(http.Request) is { } expected && expected != tenant.Version)
        {
            return ApiProblems.PreconditionFailed(tenant.Version);
        }

        if (change!.TenantId is not null && change.TenantId != tenantId)
        {
            return ApiProblems.Invalid("tenantId", "cannot be changed");
        }

        var (spec, changed) = SpecChange.Apply(tenant.Spec, change);
        if (changed.Count == 0)
        {
            return ApiProblems.Invalid("$", "name at least one section to change: tier, resources, services, owners, isolation, billing, compliance, displayName, description or preventDeletion");
        }

        if (!http.User.IsPlatformAdmin() && TenantSelfService.AdminOnlyChanges(tenant.Spec, spec) is { Count: > 0 } adminOnly)
        {
            return ApiProblems.Forbidden(adminOnly.ToDictionary(field => field, _ => new[] { TenantSelfService.Rule }), "A tenant's own credential may not change these fields.");
        }

        if (tenant.Phase is not (TenantPhase.Active or TenantPhase.Failed))
        {
            return ApiProblems.Conflict("status.phase", $"the tenant is {tenant.Phase}; its spec can change when it is Active (or Failed, to retry)");
        }

        var errors = TenantValidator.ValidateSpec(spec);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors, "The changed tenant spec is invalid.");
        }

        var ledger = await session.LoadAsync<TenantLedger>(tenantId, cancellationToken) ?? TenantLedger.For(tenant.Spec);
        session.LastModifiedBy = Actor.Of(http);
        var shortfalls = await TenantDecisions.ChangeSpec(session, outbox, tenant, ledger, spec, changed, clock.GetUtcNow(), cancellationToken);
        if (shortfalls.Count > 0)
        {
            return ApiProblems.Conflict(shortfalls, "The change would take away resources the tenant is using.");
        }

        await session.SaveChangesAsync(cancellationToken);
        var updated = await session.LoadAsync<Lifecycle.Tenant>(tenantId, cancellationToken);
        return TypedResults.Accepted($"{TenantService.Identity.RoutePrefix}/{tenantId}", Versioned(http, updated!));
    }

    internal static Task<IResult> Suspend(string tenantId, SuspendRequest? request, HttpContext http, IDocumentSession session, IOutbox outbox, TimeProvider clock, CancellationToken cancellationToken) =>
        Transition(tenantId, http, session, TenantPhase.Active, "suspended", tenant =>
        {
            var reason = string.IsNullOrWhiteSpace(request?.Reason) ? "Suspended by an operator" : request.Reason.Trim();
            if (reason.Length > 500)
            {
                return ApiProblems.Invalid("reason", "must be at most 500 characters");
            }

            var now = clock.GetUtcNow();
            session.Events.Append(tenantId, new SuspensionRequested(reason, now));
            outbox.Publish(new TenantSuspensionRequested(TenantCorrelation.For(tenantId), tenantId, reason, now), tenantId);
            return null;
        }, cancellationToken);

    internal static Task<IResult> Resume(string tenantId, HttpContext http, IDocumentSession session, IOutbox outbox, TimeProvider clock, CancellationToken cancellationToken) =>
        Transition(tenantId, http, session, TenantPhase.Suspended, "resumed", _ =>
        {
            var now = clock.GetUtcNow();
            session.Events.Append(tenantId, new ResumptionRequested(now));
            outbox.Publish(new TenantResumptionRequested(TenantCorrelation.For(tenantId), tenantId, now), tenantId);
            return null;
        }, cancellationToken);

    internal static async Task<IResult> Delete(
        string tenantId, int? gracePeriodSeconds, HttpContext http, IDocumentSession session, IOutbox outbox, TimeProvider clock, IOptions<TenantLifecycleOptions> options, CancellationToken cancellationToken)
    {
        if (gracePeriodSeconds is < 0 or > 30 * 24 * 3600)
        {
            return ApiProblems.Invalid("gracePeriodSeconds", "must be between 0 and 2592000 (30 days)");
        }

        var tenant = await session.LoadAsync<Lifecycle.Tenant>(tenantId, cancellationToken);
        if (tenant is null)
        {
            return ApiProblems.NotFound(tenantId);
        }

        if (tenant.Spec.PreventDeletion == true)
        {
            return ApiProblems.Conflict("spec.preventDeletion", "is true: set it to false first");
        }

        if (tenant.Phase is not (TenantPhase.Active or TenantPhase.Suspended or TenantPhase.Failed))
        {
            return ApiProblems.Conflict("status.phase", $"the tenant is {tenant.Phase}; only an Active, Suspended or Failed tenant can be deleted");
        }

        var grace = gracePeriodSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : options.Value.DefaultDeletionGracePeriod;
        var now = clock.GetUtcNow();
        session.LastModifiedBy = Actor.Of(http);
        session.Events.Append(tenantId, new DeletionRequested(grace, now));
        outbox.Publish(new TenantDeletionRequested(TenantCorrelation.For(tenantId), tenantId, grace, now), tenantId);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted($"{TenantService.Identity.RoutePrefix}/{tenantId}/deletion-plan", Versioned(http, (await session.LoadAsync<Lifecycle.Tenant>(tenantId, cancellationToken))!));
    }

    internal static async Task<IResult> DeletionPlan(string tenantId, IQuerySession session, CancellationToken cancellationToken)
    {
        var tenant = await session.LoadAsync<Lifecycle.Tenant>(tenantId, cancellationToken);
        if (tenant is null)
        {
            return ApiProblems.NotFound(tenantId);
        }

        return tenant.Phase != TenantPhase.Terminating
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No deletion is pending.", detail: $"The tenant is {tenant.Phase}.")
            : TypedResults.Ok(new { tenantId, planned = tenant.DeleteAfter is not null, deleteAfter = tenant.DeleteAfter, objects = tenant.DeletionObjects });
    }

    internal static async Task<IResult> CancelDeletion(string tenantId, HttpContext http, IDocumentSession session, IOutbox outbox, TimeProvider clock, CancellationToken cancellationToken)
    {
        var tenant = await session.LoadAsync<Lifecycle.Tenant>(tenantId, cancellationToken);
        if (tenant is null)
        {
            return ApiProblems.NotFound(tenantId);
        }

        if (tenant.Phase != TenantPhase.Terminating || tenant.DeleteAfter is null || tenant.DeleteAfter <= clock.GetUtcNow())
        {
            return ApiProblems.Conflict("status.phase", "no deletion is waiting out its grace period");
        }

        session.LastModifiedBy = Actor.Of(http);
        outbox.Publish(new TenantDeletionCancellationRequested(TenantCorrelation.For(tenantId), tenantId, clock.GetUtcNow()), tenantId);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted($"{TenantService.Identity.RoutePrefix}/{tenantId}");
    }

    /// <summary>
    /// The tenant's events in order, a page at a time: <c>limit</c> (default <see cref="DefaultAuditPageSize"/>, at most
    /// <see cref="MaxAuditPageSize"/>) events after version <c>after</c>. When more follow, a <c>Link: &lt;…&gt;; rel="next"</c>
    /// header points at the next page.
    /// </summary>
    internal static async Task<IResult> Audit(string tenantId, string? limit, string? after, HttpContext http, IQuerySession session, CancellationToken cancellationToken)
    {
        var size = DefaultAuditPageSize;
        if (limit is not null && (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxAuditPageSize))
        {
            return ApiProblems.Invalid("limit", $"must be a whole number from 1 to {MaxAuditPageSize}");
        }

        long from = 0;
        if (after is not null && !long.TryParse(after, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out from))
        {
            return ApiProblems.Invalid("after", "must be an event version (a whole number, 0 or more), as in the previous page's next link");
        }

        if (await session.Events.FetchStreamStateAsync(tenantId, cancellationToken) is null)
        {
            return ApiProblems.NotFound(tenantId);
        }

        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamKey == tenantId && e.Version > from)
            .OrderBy(e => e.Version)
            .Take(size + 1)
            .ToListAsync(cancellationToken);
        var page = events.Take(size).Select(e => new AuditEntry(e.Version, e.EventTypeName, e.UserName, e.Timestamp, e.Data)).ToList();
        if (events.Count > size)
        {
            http.Response.Headers.Link = $"<{TenantService.Identity.RoutePrefix}/{Uri.EscapeDataString(tenantId)}/audit?after={page[^1].Version}&limit={size}>; rel=\"next\"";
        }

        return TypedResults.Ok(page);
    }

    private static async Task<IResult> Transition(
        string tenantId, HttpContext http, IDocumentSession session, string requiredPhase, string verb, Func<Lifecycle.Tenant, IResult?> decide, CancellationToken cancellationToken)
    {
        var tenant = await session.LoadAsync<Lifecycle.Tenant>(tenantId, cancellationToken);
        if (tenant is null)
        {
            return ApiProblems.NotFound(tenantId);
        }

        if (tenant.Phase != requiredPhase)
        {
            return ApiProblems.Conflict("status.phase", $"the tenant is {tenant.Phase}; only a {requiredPhase} tenant can be {verb}");
        }

        session.LastModifiedBy = Actor.Of(http);
        if (decide(tenant) is { } refused)
        {
            return refused;
        }

        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted($"{TenantService.Identity.RoutePrefix}/{tenantId}", Versioned(http, (await session.LoadAsync<Lifecycle.Tenant>(tenantId, cancellationToken))!));
    }

    /// <summary>
    /// A create repeated with its Idempotency-Key gets the first answer again: 202, the same Location, the tenant as it
    /// was created (resourceVersion and ETag included) and the same key id — but not the key, which is shown once.
    /// </summary>
    private static async Task<IResult> Replay(HttpContext http, IQuerySession session, Lifecycle.Tenant existing, string? idempotencyKey, string requestHash, CancellationToken cancellationToken)
    {
        if (idempotencyKey is null || existing.IdempotencyKey != idempotencyKey)
        {
            return ApiProblems.Conflict("spec.tenantId", $"tenant '{existing.Id}' already exists", "The tenant already exists.");
        }

        if (existing.RequestHash != requestHash)
        {
            return ApiProblems.Conflict("Idempotency-Key", "was already used with a different request", "Idempotency-Key reused.");
        }

        var asCreated = await session.Events.AggregateStreamAsync<Lifecycle.Tenant>(existing.Id, version: TenantDecisions.ApiCreatedVersion, token: cancellationToken) ?? existing;
        var keyId = asCreated.ApiKeyIds.FirstOrDefault() ?? string.Empty;
        http.Response.Headers[IdempotencyReplayedHeader] = "true";
        return CreatedAnswer(http, asCreated, new IssuedApiKey(keyId, Key: null, "Shown once, in the first answer to this request; a replay never shows it. Rotate the key if it was lost."), replayed: true);
    }

    private static IResult CreatedAnswer(HttpContext http, Lifecycle.Tenant tenant, IssuedApiKey key, bool replayed) =>
        TypedResults.Accepted($"{TenantService.Identity.RoutePrefix}/{tenant.Id}", new TenantCreatedResponse(Versioned(http, tenant), key, replayed));

    /// <summary>The tenant's representation, its resourceVersion also in the ETag header (what If-Match compares).</summary>
    private static TenantResource Versioned(HttpContext http, Lifecycle.Tenant tenant)
    {
        http.Response.Headers.ETag = $"\"{tenant.Version}\"";
        return tenant.ToResource();
    }

    /// <summary>Set on an answer that repeats an earlier one for the same Idempotency-Key.</summary>
    public const string IdempotencyReplayedHeader = "Idempotency-Replayed";

    /// <summary>Another request created the same stream or documents first (however Marten and Npgsql report it).</summary>
    private static bool IsDuplicate(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is ExistingStreamIdCollisionException or Marten.Exceptions.ExistingStreamIdCollisionException or JasperFx.DocumentAlreadyExistsException or Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
            {
                return true;
            }
        }

        return false;
    }

    private static string? IdempotencyKey(HttpRequest request) =>
        request.Headers.TryGetValue("Idempotency-Key", out var value) && !string.IsNullOrWhiteSpace(value) ? value.ToString().Trim() : null;

    private static int? IfMatch(HttpRequest request) =>
        request.Headers.IfMatch.ToString().Trim('"', ' ', 'W', '/') is { Length: > 0 } tag && int.TryParse(tag, out var version) ? version : null;

    internal static string Hash(string? name, TenantSpec spec) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name + "\n" + JsonSerializer.Serialize(spec, ResourceDocument.Json))));

    private static async Task<(string Body, bool TooLarge)> ReadBody(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxDocumentBytes)
        {
            return (string.Empty, true);
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var buffer = new char[MaxDocumentBytes + 1];
        var read = 0;
        int chunk;
        while (read < buffer.Length && (chunk = await reader.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
        {
            read += chunk;
        }

        return read > MaxDocumentBytes ? (string.Empty, true) : (new string(buffer, 0, read), false);
    }

    private static ProblemHttpResult TooLarge() =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The document is too large.", detail: $"A tenant document may be at most {MaxDocumentBytes} bytes.");
}

/// <summary>Who made a change, for the audit trail: the authenticated caller.</summary>
internal static class Actor
{
    public static string Of(HttpContext http) => http.User.Identity?.Name is { Length: > 0 } name ? name : "anonymous";
}
