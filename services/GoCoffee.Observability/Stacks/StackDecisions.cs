using System.Text.Json;
using GoCoffee.Contracts.Observability;
using GoCoffee.Resources;
using GoCoffee.ServiceDefaults.Messaging;
using Marten;

namespace GoCoffee.Observability.Stacks;

/// <summary>
/// What accepting a stack document writes: every rule checked first (the document's shape, then its rule expressions
/// with promtool), then the stack and the message that starts (or steers) its saga, staged on one session to commit
/// together. A refused document stages nothing, so nothing reaches the cluster.
/// </summary>
public sealed class StackDecisions(RuleExpressionCheck ruleCheck, PlatformPack pack, Microsoft.Extensions.Options.IOptions<StacksOptions> options)
{
    public const int MaxTenantNamespaces = 20;

    public sealed record Outcome(ObservabilityStack? Stack, Dictionary<string, string[]> Errors, string? Unavailable = null, bool Changed = true);

    public async Task<Outcome> Apply(IDocumentSession session, IOutbox outbox, string tenantId, ObservabilityStackResource resource, string source, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var errors = StackRules.Check(resource, tenantId, ns => IsTenantNamespace(tenantId, ns));
        if (errors.Count > 0)
        {
            return new Outcome(null, errors);
        }

        var spec = resource.Spec!;
        var check = await ruleCheck.Check(spec.Monitoring?.Rules ?? [], cancellationToken);
        if (check.Unavailable is not null || check.Errors.Count > 0)
        {
            return new Outcome(null, check.Errors, check.Unavailable);
        }

        var ns = resource.Metadata!.Namespace ?? NamespaceName(tenantId, 1);
        var id = ObservabilityStack.IdOf(tenantId, ns, resource.Metadata.Name!);
        var stack = await session.LoadAsync<ObservabilityStack>(id, cancellationToken);
        if (stack is { Status.Phase: StackPhase.Terminating })
        {
            return new Outcome(null, new() { ["metadata.name"] = [$"stack '{stack.Name}' is being deleted; apply it again once it is gone"] });
        }

        if (stack is not null && stack.Source != source)
        {
            return new Outcome(null, new() { ["metadata.name"] = [$"stack '{stack.Name}' is managed {(stack.Source == ObservabilityStack.ClusterSource ? "as a custom resource: change it with kubectl" : "through the API")}"] });
        }

        if (stack is not null && stack.Status.Phase != StackPhase.Failed && Same(stack.Spec, spec))
        {
            return new Outcome(stack, [], Changed: false);
        }

        stack ??= new ObservabilityStack { Id = id, TenantId = tenantId, Namespace = ns, Name = resource.Metadata.Name!, Source = source, CreatedAt = now };
        stack.Spec = spec;
        stack.Generation++;
        stack.UpdatedAt = now;
        stack.Status.Phase = stack.Generation == 1 ? StackPhase.Pending : StackPhase.Updating;
        stack.SetCondition("Ready", stack.Generation == 1 ? "False" : stack.Status.Conditions.FirstOrDefault(c => c.Type == "Ready")?.Status ?? "False", stack.Generation == 1 ? "Pending" : "Updating", $"Generation {stack.Generation} accepted; waiting for the stack saga.", now);
        session.Store(stack);
        outbox.Report(stack, now);
        var plan = new ObservabilityStackPlan(tenantId, ns, stack.Name, stack.Generation, spec, pack.RuleGroups, pack.Dashboards, options.Value.Versions);
        outbox.Publish(new ObservabilityStackRequested(ObservabilityStackCorrelation.For(id), id, plan, now), tenantId);
        return new Outcome(stack, []);
    }

    public static bool IsTenantNamespace(string tenantId, string ns) => Enumerable.Range(1, MaxTenantNamespaces).Any(i => NamespaceName(tenantId, i) == ns);

    /// <summary><c>ent-customer-1-1</c> …: the tenant service's names for a tenant's namespaces (TenantPlanner.NamespaceName).</summary>
    public static string NamespaceName(string tenantId, int index)
    {
        var suffix = $"-{index}";
        if (tenantId.Length + suffix.Length <= 63)
        {
            return tenantId + suffix;
        }

        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(tenantId)))[..6];
        return $"{tenantId[..(63 - suffix.Length - 7)].TrimEnd('-')}-{hash}{suffix}";
    }

    private static bool Same(ObservabilityStackSpec a, ObservabilityStackSpec b) =>
        JsonSerializer.Serialize(a, ResourceDocument.Json) == JsonSerializer.Serialize(b, ResourceDocument.Json);
}
