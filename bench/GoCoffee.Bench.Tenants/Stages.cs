using GoCoffee.FakeKubernetes;

namespace GoCoffee.Bench.Tenants;

/// <summary>
/// Where one tenant's onboarding spent its time, from timestamps the platform leaves anyway: the tenant's audit trail
/// (when each event was stored) and the fake API server's request log (when the cluster-agent's requests arrived).
/// Every value is milliseconds after the POST left the client.
/// </summary>
public sealed record Stages(double Created, double SagaStarted, double AgentFirstRequest, double AgentLastRequest, double Provisioned, double Active, int AgentRequests)
{
    /// <summary>The step names, in order, with what each one covers.</summary>
    public static readonly IReadOnlyList<(string Name, string Covers)> Steps =
    [
        ("POST committed", "HTTP, validation, TenantCreated + outbox row committed (tenant_created stored)"),
        ("→ saga started", "tenant outbox relay wakes, publishes TenantRegistered; broker; saga consumes it (provisioning_started stored)"),
        ("→ agent's first request", "saga commits ProvisionTenantNamespaces to its outbox; relay; broker; agent inbox"),
        ("agent's Kubernetes work", "first to last request of the agent for the tenant's namespaces (GET + apply per object, then the namespace list)"),
        ("→ namespaces provisioned", "agent commits TenantNamespacesProvisioned; agent relay; broker; saga records namespaces_provisioned"),
        ("→ Active (monitoring step)", "saga commits ProvisionTenantMonitoring; relay; broker; agent applies the alert route and dashboards folder; answer back; saga records monitoring_configured and goes Active"),
    ];

    public IReadOnlyList<double> Durations =>
        [Created, SagaStarted - Created, AgentFirstRequest - SagaStarted, AgentLastRequest - AgentFirstRequest, Provisioned - AgentLastRequest, Active - Provisioned];

    public static Stages? Of(OnboardingSample sample, IReadOnlyList<(string Event, DateTimeOffset At)> audit, IReadOnlyList<FakeRequest> agentRequests)
    {
        DateTimeOffset? At(string name) => audit.Where(e => e.Event == name).Select(e => (DateTimeOffset?)e.At).FirstOrDefault();
        if (At("tenant_created") is not { } created || At("provisioning_started") is not { } started || At("namespaces_provisioned") is not { } provisioned
            || At("monitoring_configured") is not { } active || !agentRequests.Any(r => r.Time <= provisioned))
        {
            return null;
        }

        // The namespaces step's requests: those before its answer was recorded (the monitoring step's come after).
        var namespacesStep = agentRequests.Where(r => r.Time <= provisioned).ToList();
        double Since(DateTimeOffset at) => (at - sample.PostedAt).TotalMilliseconds;
        return new Stages(Since(created), Since(started), Since(namespacesStep.Min(r => r.Time)), Since(namespacesStep.Max(r => r.Time)), Since(provisioned), Since(active), agentRequests.Count);
    }

    /// <summary>The fake API server's log grouped by the tenant each request was for (its namespaces, or a selector naming it).</summary>
    public static ILookup<string, FakeRequest> ByTenant(IEnumerable<FakeRequest> requests) =>
        requests
            .Select(r => (Tenant: TenantOf(r), Request: r))
            .Where(x => x.Tenant is not null)
            .ToLookup(x => x.Tenant!, x => x.Request);

    private static string? TenantOf(FakeRequest request)
    {
        if (request.Query.TryGetValue("labelSelector", out var selector))
        {
            const string label = "gocoffee.dev/tenant=";
            var at = selector.IndexOf(label, StringComparison.Ordinal);
            if (at >= 0)
            {
                var rest = selector[(at + label.Length)..];
                var end = rest.IndexOf(',', StringComparison.Ordinal);
                return end < 0 ? rest : rest[..end];
            }
        }

        // Namespaces are named <tenant>-<n> (the benchmark's ids are short enough never to be hashed).
        var ns = request.Namespace ?? (request.Resource == "namespaces" ? request.Name : null);
        var dash = ns?.LastIndexOf('-') ?? -1;
        return dash > 0 ? ns![..dash] : null;
    }
}
