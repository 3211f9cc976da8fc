using GoCoffee.AiWorkload.Api;
using GoCoffee.Contracts.Ai;
using GoCoffee.Resources;
using GoCoffee.ServiceDefaults;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;
using Microsoft.Extensions.Options;

namespace GoCoffee.AiWorkload.Models;

public sealed record AliasRequest(string? Version);

public sealed record ModelVersionView(string Model, string Version, string Framework, string Source, IReadOnlyDictionary<string, string> Metadata, ModelPerformance? Performance, bool Archived, IReadOnlyList<string> Aliases, string RegisteredBy, DateTimeOffset RegisteredAt);

public sealed record ModelView(string TenantId, string Name, IReadOnlyList<ModelVersionView> Versions, IReadOnlyDictionary<string, string> Aliases, IReadOnlyList<AliasMove> AliasHistory);

public sealed record ModelVersionPage(IReadOnlyList<ModelVersionView> Items, int Page, int PageSize, int Total);

/// <summary>
/// <c>/api/ai/models</c>: a tenant's model registry. Versions are registered once and never change (registering the
/// same version again with the same content answers as the first time; with other content, 409); aliases move, and
/// every move is recorded; an archived version cannot be newly deployed.
/// </summary>
public static class ModelsApi
{
    public static RouteGroupBuilder MapModelsApi(this RouteGroupBuilder api)
    {
        var models = api.MapGroup("/models").WithTags("ai-models");
        models.MapGet("/", List).WithName("listModelVersions").WithSummary("The tenant's model versions, paged; filter by framework, alias, archived");
        models.MapPost("/", Register).WithName("registerModelVersion").WithSummary("Register a version of a model (immutable once registered)");
        models.MapGet("/{name}", Get).WithName("getModel").WithSummary("A model: versions, aliases and every alias move");
        models.MapDelete("/{name}", Delete).WithName("deleteModel").WithSummary("Remove a model, its versions and aliases (409 while a workload uses it); its record is kept for audit");
        models.MapGet("/{name}/removals", Removals).WithName("listModelRemovals").WithSummary("Every removal of a model of this name: its versions, aliases and alias moves, who removed it and when");
        models.MapPut("/{name}/aliases/{alias}", MoveAlias).WithName("moveModelAlias").WithSummary("Point an alias at a version (recorded: who, when, from, to)");
        models.MapPost("/{name}/versions/{version}/archive", Archive).WithName("archiveModelVersion").WithSummary("Archive a version: no new deployments; running ones keep running");
        api.MapGet("/registry", Registry).WithTags("ai-models").WithName("getModelRegistry").WithSummary("The tenant's registry as a ModelRegistry resource");
        api.MapPost("/registry", ApplyRegistry).WithTags("ai-models").WithName("applyModelRegistry").WithSummary("Apply a ModelRegistry document: register its versions, point its aliases");
        return api;
    }

    internal static async Task<IResult> Register(HttpContext http, string? tenantId, IDocumentSession session, IOutbox outbox, IOptions<AiWorkloadOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (tenant, denied) = Caller.Tenant(http.User, tenantId);
        if (denied is not null)
        {
            return denied;
        }

        var (spec, problem) = await ResourceBodies.Read<ModelVersionSpec>(http.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = ModelRules.Check(spec, options.Value.Frameworks);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors, "The model version is invalid.");
        }

        var model = await session.LoadAsync<RegisteredModel>(RegisteredModel.IdOf(tenant!, spec!.Name!), cancellationToken);
        model ??= new RegisteredModel { Id = RegisteredModel.IdOf(tenant!, spec.Name!), TenantId = tenant!, Name = spec.Name!, CreatedAt = clock.GetUtcNow() };
        var (created, conflict) = Stage(session, model, tenant!, spec, Caller.Actor(http), clock.GetUtcNow());
        if (conflict is not null)
        {
            return ApiProblems.Conflict("version", conflict, "A registered version never changes.");
        }

        if (created)
        {
            await CustomResources.RegistryStatusReports.Republish(session, outbox, tenant!, [model], [], clock.GetUtcNow(), cancellationToken);
        }

        await session.SaveChangesAsync(cancellationToken);
        var saved = await session.LoadAsync<RegisteredModel>(RegisteredModel.IdOf(tenant!, spec.Name!), cancellationToken);
        var view = View(saved!, saved!.Find(spec.Version!)!);
        return created ? TypedResults.Created($"/api/ai/models/{spec.Name}", view) : TypedResults.Ok(view);
    }

    /// <returns>Whether the version is new, or why it cannot be registered.</returns>
    internal static (bool Created, string? Conflict) Stage(IDocumentSession session, RegisteredModel? model, string tenantId, ModelVersionSpec spec, string actor, DateTimeOffset now)
    {
        model ??= new RegisteredModel { Id = RegisteredModel.IdOf(tenantId, spec.Name!), TenantId = tenantId, Name = spec.Name!, CreatedAt = now };
        var framework = spec.Framework ?? spec.Type!;
        if (model.Find(spec.Version!) is { } existing)
        {
            var same = existing.Framework == framework && existing.Source == spec.Source
                && existing.Metadata.Count == (spec.Metadata?.Count ?? 0) && existing.Metadata.All(e => spec.Metadata!.TryGetValue(e.Key, out var v) && v == e.Value)
                && Equals(existing.Performance?.Accuracy, spec.Performance?.Accuracy) && Equals(existing.Performance?.Latency, spec.Performance?.Latency) && Equals(existing.Performance?.Throughput, spec.Performance?.Throughput);
            return same ? (false, null) : (false, $"'{spec.Name}' {spec.Version} is already registered with other content; register a new version");
        }

        if (model.Versions.Count >= 1000)
        {
            return (false, "a model has at most 1000 versions");
        }

        model.Versions.Add(new ModelVersion
        {
            Version = spec.Version!,
            Framework = framework,
            Source = spec.Source!,
            Metadata = spec.Metadata is null ? [] : new Dictionary<string, string>(spec.Metadata),
            Performance = spec.Performance,
            RegisteredBy = actor,
            RegisteredAt = now,
        });
        session.Store(model);
        return (true, null);
    }

    internal static async Task<IResult> List(HttpContext http, string? tenantId, string? framework, string? alias, bool? archived, int? page, int? pageSize, IQuerySession session, CancellationToken cancellationToken)
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

        var models = await session.Query<RegisteredModel>().Where(m => m.TenantId == tenant).OrderBy(m => m.Name).ToListAsync(cancellationToken);
        var versions = models
            .SelectMany(m => m.Versions.Select(v => (Model: m, Version: v)))
            .Where(x => framework is null || x.Version.Framework == framework)
            .Where(x => alias is null || (x.Model.Aliases.TryGetValue(alias, out var target) && target == x.Version.Version))
            .Where(x => archived is null || x.Version.Archived == archived)
            .ToList();
        var items = versions.Skip((number - 1) * size).Take(size).Select(x => View(x.Model, x.Version)).ToList();
        return TypedResults.Ok(new ModelVersionPage(items, number, size, versions.Count));
    }

    internal static async Task<IResult> Get(string name, HttpContext http, string? tenantId, IQuerySession session, CancellationToken cancellationToken)
    {
        var (tenant, denied) = Caller.Tenant(http.User, tenantId);
        if (denied is not null)
        {
            return denied;
        }

        var model = await session.LoadAsync<RegisteredModel>(RegisteredModel.IdOf(tenant!, name), cancellationToken);
        return model is null ? ApiProblems.NotFound("model", name) : TypedResults.Ok(View(model));
    }

    internal static async Task<IResult> Delete(string name, HttpContext http, string? tenantId, IDocumentSession session, IOutbox outbox, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (tenant, denied) = Caller.Tenant(http.User, tenantId);
        if (denied is not null)
        {
            return denied;
        }

        var model = await session.LoadAsync<RegisteredModel>(RegisteredModel.IdOf(tenant!, name), cancellationToken);
        if (model is null)
        {
            return ApiProblems.NotFound("model", name);
        }

        var users = await ModelRemoval.WorkloadsUsing(session, model, cancellationToken);
        if (users.Count > 0)
        {
            return ApiProblems.Conflict("name", $"'{name}' is used by {users.Count} workload(s): {string.Join(", ", users.Take(20))}{(users.Count > 20 ? ", ..." : string.Empty)}; delete them (or move them to another model) first", "A model in use cannot be removed.");
        }

        ModelRemoval.Remove(session, model, Caller.Actor(http), clock.GetUtcNow());
        await CustomResources.RegistryStatusReports.Republish(session, outbox, tenant!, [], [model.Id], clock.GetUtcNow(), cancellationToken);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    internal static async Task<IResult> Removals(string name, HttpContext http, string? tenantId, IQuerySession session, CancellationToken cancellationToken)
    {
        var (tenant, denied) = Caller.Tenant(http.User, tenantId);
        if (denied is not null)
        {
            return denied;
        }

        var removals = await session.Query<RemovedModel>().Where(m => m.TenantId == tenant && m.Name == name).OrderBy(m => m.RemovedAt).ToListAsync(cancellationToken);
        return TypedResults.Ok(removals);
    }

    internal static async Task<IResult> MoveAlias(string name, string alias, HttpContext http, string? tenantId, IDocumentSession session, IOutbox outbox, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (tenant, denied) = Caller.Tenant(http.User, tenantId);
        if (denied is not null)
        {
            return denied;
        }

        if (!ModelRules.IsDnsLabel(alias))
        {
            return ApiProblems.Invalid("alias", "must be a DNS label (lowercase letters, digits, '-', at most 63)");
        }

        var (request, problem) = await ResourceBodies.Read<AliasRequest>(http.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var model = await session.LoadAsync<RegisteredModel>(RegisteredModel.IdOf(tenant!, name), cancellationToken);
        if (model is null)
        {
            return ApiProblems.NotFound("model", name);
        }

        var error = Point(model, alias, request?.Version, Caller.Actor(http), clock.GetUtcNow());
        if (error is not null)
        {
            return ApiProblems.Invalid("version", error);
        }

        session.Store(model);
        outbox.Publish(new ModelAliasMoved(tenant!, name, alias, model.Aliases[alias], clock.GetUtcNow()), tenant);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(View(model));
    }

    /// <returns>Why the alias cannot point there, or null when it does now (recorded when it moved).</returns>
    internal static string? Point(RegisteredModel model, string alias, string? version, string actor, DateTimeOffset now)
    {
        if (version is null || model.Find(version) is not { } target)
        {
            return $"must be a registered version of '{model.Name}'";
        }

        if (target.Archived)
        {
            return $"{version} is archived: an alias cannot point at it";
        }

        var from = model.Aliases.GetValueOrDefault(alias);
        if (from == version)
        {
            return null;
        }

        if (from is null && model.Aliases.Count >= 100)
        {
            return "a model has at most 100 aliases";
        }

        model.Aliases[alias] = version;
        model.AliasHistory.Add(new AliasMove(alias, from, version, actor, now));
        return null;
    }

    internal static async Task<IResult> Archive(string name, string version, HttpContext http, string? tenantId, IDocumentSession session, IOutbox outbox, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (tenant, denied) = Caller.Tenant(http.User, tenantId);
        if (denied is not null)
        {
            return denied;
        }

        var model = await session.LoadAsync<RegisteredModel>(RegisteredModel.IdOf(tenant!, name), cancellationToken);
        if (model?.Find(version) is not { } found)
        {
            return ApiProblems.NotFound("model version", $"{name} {version}");
        }

        if (!found.Archived)
        {
            var now = clock.GetUtcNow();
            found.Archived = true;
            found.ArchivedBy = Caller.Actor(http);
            found.ArchivedAt = now;
            session.Store(model);
            outbox.Publish(new ModelVersionArchived(tenant!, name, version, now), tenant);
            await CustomResources.RegistryStatusReports.Republish(session, outbox, tenant!, [model], [], now, cancellationToken);
            await session.SaveChangesAsync(cancellationToken);
        }

        return TypedResults.Ok(View(model, found));
    }

    internal static async Task<IResult> Registry(HttpContext http, string? tenantId, IQuerySession session, CancellationToken cancellationToken)
    {
        var (tenant, denied) = Caller.Tenant(http.User, tenantId);
        if (denied is not null)
        {
            return denied;
        }

        var models = await session.Query<RegisteredModel>().Where(m => m.TenantId == tenant).OrderBy(m => m.Name).ToListAsync(cancellationToken);
        return TypedResults.Ok(new ModelRegistryResource
        {
            ApiVersion = $"{ModelRegistryResource.Group}/{ModelRegistryResource.Version}",
            Kind = ModelRegistryResource.ResourceKind,
            Metadata = new Contracts.ResourceMetadata { Name = tenant },
            Spec = new ModelRegistrySpec
            {
                Models = [.. models.SelectMany(m => m.Versions.Select(m.ToSpec))],
                Aliases = models.Where(m => m.Aliases.Count > 0).ToDictionary(m => m.Name, m => new Dictionary<string, string>(m.Aliases)),
            },
            Status = new ModelRegistryStatus
            {
                TotalModels = models.Sum(m => m.Versions.Count),
                AvailableModels = models.Sum(m => m.Versions.Count(v => !v.Archived)),
            },
        });
    }

    internal static async Task<IResult> ApplyRegistry(HttpContext http, string? tenantId, IDocumentSession session, IOutbox outbox, IOptions<AiWorkloadOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (tenant, denied) = Caller.Tenant(http.User, tenantId);
        if (denied is not null)
        {
            return denied;
        }

        var (resource, problem) = await ResourceBodies.Read<ModelRegistryResource>(http.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var outcome = await RegistryDecisions.Apply(session, outbox, options.Value, tenant!, resource!, Caller.Actor(http), clock.GetUtcNow(), cancellationToken);
        switch (outcome.Refusal)
        {
            case RegistryDecisions.Refusal.Invalid:
                return ApiProblems.Invalid(outcome.Errors, outcome.Title);
            case RegistryDecisions.Refusal.Conflict:
                return ApiProblems.Conflict(outcome.Errors.Keys.Single(), outcome.Errors.Values.Single().Single(), outcome.Title);
        }

        await CustomResources.RegistryStatusReports.Republish(session, outbox, tenant!, outcome.Staged, [], clock.GetUtcNow(), cancellationToken);
        await session.SaveChangesAsync(cancellationToken);
        return await Registry(http, tenant, session, cancellationToken);
    }

    private static ModelView View(RegisteredModel model) =>
        new(model.TenantId, model.Name, [.. model.Versions.Select(v => View(model, v))], model.Aliases, model.AliasHistory);

    private static ModelVersionView View(RegisteredModel model, ModelVersion version) =>
        new(model.Name, version.Version, version.Framework, version.Source, version.Metadata, version.Performance, version.Archived,
            [.. model.Aliases.Where(a => a.Value == version.Version).Select(a => a.Key).Order(StringComparer.Ordinal)], version.RegisteredBy, version.RegisteredAt);
}
