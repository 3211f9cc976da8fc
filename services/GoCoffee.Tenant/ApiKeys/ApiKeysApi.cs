using GoCoffee.Contracts.Tenants;
using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.ServiceDefaults.Security;
using GoCoffee.Tenant.Api;
using GoCoffee.Tenant.Lifecycle;
using Marten;
using Microsoft.Extensions.Options;

namespace GoCoffee.Tenant.ApiKeys;

public sealed record ApiKeyView(string Id, string Prefix, string Status, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

public static class ApiKeysApi
{
    public static RouteGroupBuilder MapApiKeysApi(this RouteGroupBuilder api)
    {
        api.MapGet("/{tenantId}/api-keys", List).WithName("listTenantApiKeys").WithSummary("The tenant's API keys (never the keys themselves)").RequireTenantAccess()
            .Produces<List<ApiKeyView>>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/{tenantId}/api-keys", Issue).WithName("issueTenantApiKey").WithSummary("Issue a new API key; the key is shown once").RequireTenantAccess()
            .Produces<IssuedApiKey>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/{tenantId}/api-keys/{keyId}/rotate", Rotate).WithName("rotateTenantApiKey").WithSummary("Issue a replacement and revoke this key").RequireTenantAccess()
            .Produces<IssuedApiKey>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/{tenantId}/api-keys/{keyId}", Revoke).WithName("revokeTenantApiKey").WithSummary("Revoke a key; the gateway refuses it within seconds").RequireTenantAccess()
            .Produces<ApiKeyView>().ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    internal static async Task<IResult> List(string tenantId, IQuerySession session, CancellationToken cancellationToken)
    {
        if (await session.LoadAsync<Lifecycle.Tenant>(tenantId, cancellationToken) is null)
        {
            return ApiProblems.NotFound(tenantId);
        }

        var keys = await session.Query<ApiKey>().Where(k => k.TenantId == tenantId).OrderBy(k => k.CreatedAt).ToListAsync(cancellationToken);
        return TypedResults.Ok(keys.Select(View).ToList());
    }

    internal static async Task<IResult> Issue(string tenantId, HttpContext http, IDocumentSession session, IOutbox outbox, TimeProvider clock, IOptions<ApiKeyOptions> options, CancellationToken cancellationToken)
    {
        var tenant = await session.LoadAsync<Lifecycle.Tenant>(tenantId, cancellationToken);
        if (tenant is null)
        {
            return ApiProblems.NotFound(tenantId);
        }

        if (tenant.Phase is TenantPhase.Deleted or TenantPhase.Terminating)
        {
            return ApiProblems.Conflict("status.phase", $"the tenant is {tenant.Phase}");
        }

        if (await LiveKeys(session, tenantId, cancellationToken) >= options.Value.MaxLivePerTenant)
        {
            return TooManyKeys(options.Value.MaxLivePerTenant);
        }

        var plain = IssueKey(tenant, http, session, outbox, clock.GetUtcNow(), out var key);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/tenants/{tenantId}/api-keys/{key.Id}", new IssuedApiKey(key.Id, plain, "Shown once: store it now."));
    }

    internal static async Task<IResult> Rotate(string tenantId, string keyId, HttpContext http, IDocumentSession session, IOutbox outbox, TimeProvider clock, IOptions<ApiKeyOptions> options, CancellationToken cancellationToken)
    {
        var tenant = await session.LoadAsync<Lifecycle.Tenant>(tenantId, cancellationToken);
        var old = await session.LoadAsync<ApiKey>(keyId, cancellationToken);
        if (tenant is null || old is null || old.TenantId != tenantId || old.Status == ApiKeyStatus.Revoked)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such API key.", detail: $"keyId: '{keyId}' is not a live key of tenant '{tenantId}'.");
        }

        // A rotation replaces a key: it is refused only where the tenant already holds more than the maximum (a lowered limit).
        if (await LiveKeys(session, tenantId, cancellationToken) - 1 >= options.Value.MaxLivePerTenant)
        {
            return TooManyKeys(options.Value.MaxLivePerTenant);
        }

        var now = clock.GetUtcNow();
        var plain = IssueKey(tenant, http, session, outbox, now, out var key);
        RevokeKey(old, session, outbox, now);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/tenants/{tenantId}/api-keys/{key.Id}", new IssuedApiKey(key.Id, plain, $"Shown once: store it now. {keyId} is revoked."));
    }

    internal static async Task<IResult> Revoke(string tenantId, string keyId, HttpContext http, IDocumentSession session, IOutbox outbox, TimeProvider clock, CancellationToken cancellationToken)
    {
        var key = await session.LoadAsync<ApiKey>(keyId, cancellationToken);
        if (key is null || key.TenantId != tenantId)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such API key.", detail: $"keyId: '{keyId}' is not a key of tenant '{tenantId}'.");
        }

        if (key.Status != ApiKeyStatus.Revoked)
        {
            session.LastModifiedBy = Actor.Of(http);
            RevokeKey(key, session, outbox, clock.GetUtcNow());
            await session.SaveChangesAsync(cancellationToken);
        }

        return TypedResults.Ok(View(key));
    }

    private static Task<int> LiveKeys(IQuerySession session, string tenantId, CancellationToken cancellationToken) =>
        session.Query<ApiKey>().CountAsync(k => k.TenantId == tenantId && k.Status != ApiKeyStatus.Revoked, cancellationToken);

    private static IResult TooManyKeys(int max) =>
        ApiProblems.Conflict("apiKeys", $"a tenant may hold at most {max} live API keys (max {max}); revoke one, or rotate it, first", "Too many API keys.");

    private static string IssueKey(Lifecycle.Tenant tenant, HttpContext http, IDocumentSession session, IOutbox outbox, DateTimeOffset now, out ApiKey key)
    {
        var active = tenant.Phase is TenantPhase.Active or TenantPhase.Suspended;
        (key, var plain) = ApiKey.Issue(tenant.Id, active ? ApiKeyStatus.Active : ApiKeyStatus.Pending, now);
        session.LastModifiedBy = Actor.Of(http);
        session.Insert(key);
        session.Events.Append(tenant.Id, new ApiKeyAdded(key.Id, key.Prefix, now));
        if (active)
        {
            outbox.Publish(key.Issued(), tenant.Id);
        }

        return plain;
    }

    private static void RevokeKey(ApiKey key, IDocumentSession session, IOutbox outbox, DateTimeOffset now)
    {
        key.Revoke(now);
        session.Store(key);
        session.Events.Append(key.TenantId, new ApiKeyWithdrawn(key.Id, now));
        outbox.Publish(new ApiKeyRevoked(key.TenantId, key.Id, now), key.TenantId);
    }

    private static ApiKeyView View(ApiKey key) => new(key.Id, key.Prefix, key.Status.ToString(), key.CreatedAt, key.RevokedAt);
}
