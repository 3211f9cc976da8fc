using System.Net;
using GoCoffee.ClusterAgent.Objects;
using GoCoffee.ClusterAgent.Targets;
using GoCoffee.ClusterAgent.Tenants;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Options;
using Polly;

namespace GoCoffee.ClusterAgent.CustomResources;

/// <summary>
/// Which tenant a namespace belongs to: the one the platform provisioned it for, as its Namespace's labels say
/// (<c>app.kubernetes.io/managed-by: gocoffee</c>, <c>gocoffee.dev/tenant</c>) and its name agrees (<c>&lt;tenant&gt;-&lt;n&gt;</c>,
/// never a system namespace). A namespaced platform resource takes its tenant from here and nowhere else: no field of
/// the document can name another tenant.
/// </summary>
public sealed class TenantNamespaceOwner
{
    private readonly IKubernetes _client;
    private readonly ResiliencePipeline _retry;

    public TenantNamespaceOwner(IKubernetes client, IOptions<ClusterAgentOptions> options, ILogger<TenantNamespaceOwner> logger)
    {
        _client = client;
        _retry = KubernetesRetry.Pipeline(options.Value.Kubernetes, logger);
    }

    /// <returns>The tenant, or null with why the namespace is not a tenant's.</returns>
    public async Task<(string? TenantId, string? Refusal)> TenantOfAsync(string? @namespace, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(@namespace))
        {
            return (null, "the object has no namespace");
        }

        k8s.Models.V1Namespace ns;
        try
        {
            ns = await _retry.ExecuteAsync(async token => await _client.CoreV1.ReadNamespaceAsync(@namespace, cancellationToken: token), cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return (null, $"namespace '{@namespace}' does not exist");
        }

        var labels = ns.Metadata?.Labels ?? new Dictionary<string, string>();
        if (!labels.TryGetValue(PlatformLabels.ManagedBy, out var managedBy) || managedBy != PlatformLabels.ManagedByPlatform
            || !labels.TryGetValue(PlatformLabels.Tenant, out var tenantId) || string.IsNullOrEmpty(tenantId))
        {
            return (null, $"namespace '{@namespace}' is not one the platform provisioned for a tenant (no {PlatformLabels.ManagedBy}={PlatformLabels.ManagedByPlatform} and {PlatformLabels.Tenant} labels)");
        }

        if (TenantInvariants.CheckTenantId(tenantId) is { } badTenant)
        {
            return (null, $"namespace '{@namespace}': {badTenant}");
        }

        return TenantInvariants.CheckNamespace(tenantId, @namespace) is { } badNamespace ? (null, badNamespace) : (tenantId, null);
    }
}
