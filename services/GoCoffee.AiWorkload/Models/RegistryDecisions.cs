using GoCoffee.Contracts.Ai;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;

namespace GoCoffee.AiWorkload.Models;

/// <summary>
/// What applying a ModelRegistry document stages, whichever door it came through (<c>POST /api/ai/registry</c> or the
/// ModelRegistry custom resource): every version registered (a registered one never changes), every alias pointed and
/// its move recorded and published. A refused document leaves its caller to discard the session: nothing of it may
/// be committed.
/// </summary>
internal static class RegistryDecisions
{
    public enum Refusal
    {
        None,

        /// <summary>A rule is broken (400 through the API).</summary>
        Invalid,

        /// <summary>A version is registered already with other content (409 through the API).</summary>
        Conflict,
    }

    /// <param name="Staged">The tenant's models this document touched, as staged (not yet committed).</param>
    public sealed record Outcome(Refusal Refusal, Dictionary<string, string[]> Errors, string Title, IReadOnlyCollection<RegisteredModel> Staged);

    /// <param name="registryObject">The ModelRegistry custom resource (<c>namespace/name</c>) the document is, or null through the API.</param>
    public static async Task<Outcome> Apply(IDocumentSession session, IOutbox outbox, AiWorkloadOptions options, string tenant, ModelRegistryResource resource, string actor, DateTimeOffset now, CancellationToken cancellationToken, string? registryObject = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (resource.ApiVersion != $"{ModelRegistryResource.Group}/{ModelRegistryResource.Version}")
        {
            errors["apiVersion"] = [$"must be {ModelRegistryResource.Group}/{ModelRegistryResource.Version}"];
        }

        if (resource.Kind != ModelRegistryResource.ResourceKind)
        {
            errors["kind"] = [$"must be {ModelRegistryResource.ResourceKind}"];
        }

        var versions = resource.Spec?.Models ?? [];
        if (versions.Count > 500)
        {
            errors["spec.models"] = ["at most 500 versions per document"];
        }

        for (var i = 0; i < versions.Count && errors.Count < 20; i++)
        {
            foreach (var (field, messages) in ModelRules.Check(versions[i], options.Frameworks, $"spec.models[{i}]."))
            {
                errors[field] = messages;
            }
        }

        if (errors.Count > 0)
        {
            return new Outcome(Refusal.Invalid, errors, "The model registry is invalid.", []);
        }

        var models = new Dictionary<string, RegisteredModel>(StringComparer.Ordinal);
        async Task<RegisteredModel> ModelNamed(string name) =>
            models.TryGetValue(name, out var known) ? known
            : models[name] = await session.LoadAsync<RegisteredModel>(RegisteredModel.IdOf(tenant, name), cancellationToken)
                ?? new RegisteredModel { Id = RegisteredModel.IdOf(tenant, name), TenantId = tenant, Name = name, CreatedAt = now };

        for (var i = 0; i < versions.Count; i++)
        {
            var (_, conflict) = ModelsApi.Stage(session, await ModelNamed(versions[i].Name!), tenant, versions[i], actor, now);
            if (conflict is not null)
            {
                return new Outcome(Refusal.Conflict, new() { [$"spec.models[{i}].version"] = [conflict] }, "A registered version never changes.", []);
            }
        }

        foreach (var (name, aliases) in resource.Spec?.Aliases ?? [])
        {
            var model = await ModelNamed(name);
            foreach (var (alias, version) in aliases)
            {
                var before = model.Aliases.GetValueOrDefault(alias);
                var error = !ModelRules.IsDnsLabel(alias) ? "an alias is a DNS label" : ModelsApi.Point(model, alias, version, actor, now);
                if (error is not null)
                {
                    return new Outcome(Refusal.Invalid, new() { [$"spec.aliases.{ModelRules.Clip(name)}.{ModelRules.Clip(alias)}"] = [error] }, "The request is invalid.", []);
                }

                if (before != version)
                {
                    outbox.Publish(new ModelAliasMoved(tenant, name, alias, version, now), tenant);
                }
            }

            session.Store(model);
        }

        if (registryObject is not null)
        {
            foreach (var model in models.Values.Where(m => !m.DeclaredBy.Contains(registryObject)))
            {
                model.DeclaredBy.Add(registryObject);
                session.Store(model);
            }
        }

        return new Outcome(Refusal.None, [], string.Empty, models.Values);
    }

    /// <summary>The registry's counts: every registered version, and those that can still be deployed.</summary>
    public static async Task<ModelRegistryStatus> StatusOf(IQuerySession session, string tenant, IReadOnlyCollection<RegisteredModel> staged, CancellationToken cancellationToken, IReadOnlyCollection<string>? removed = null)
    {
        var stored = await session.Query<RegisteredModel>().Where(m => m.TenantId == tenant).ToListAsync(cancellationToken);
        var models = stored.Where(m => staged.All(s => s.Id != m.Id) && (removed is null || !removed.Contains(m.Id))).Concat(staged).ToList();
        return new ModelRegistryStatus
        {
            TotalModels = models.Sum(m => m.Versions.Count),
            AvailableModels = models.Sum(m => m.Versions.Count(v => !v.Archived)),
        };
    }
}
