using GoCoffee.ClusterAgent.Deletion;
using GoCoffee.ClusterAgent.Provisioning;
using GoCoffee.ClusterAgent.Workloads;
using MassTransit;

namespace GoCoffee.ClusterAgent.Tests;

/// <summary>The queues the README promises to senders of cluster commands, named as ServiceDefaults' bus names them.</summary>
public sealed class QueueNamesTests
{
    private static readonly KebabCaseEndpointNameFormatter Formatter = new(ClusterAgentService.Identity.Name, includeNamespace: false);

    [Fact]
    public void Cluster_commands_have_the_queues_the_readme_names()
    {
        Assert.Equal("cluster-agent-provision-tenant-namespaces", Formatter.Consumer<ProvisionTenantNamespacesConsumer>());
        Assert.Equal("cluster-agent-scale-tenant-workloads", Formatter.Consumer<ScaleTenantWorkloadsConsumer>());
        Assert.Equal("cluster-agent-plan-tenant-deletion", Formatter.Consumer<PlanTenantDeletionConsumer>());
        Assert.Equal("cluster-agent-delete-tenant-objects", Formatter.Consumer<DeleteTenantObjectsConsumer>());
    }
}
