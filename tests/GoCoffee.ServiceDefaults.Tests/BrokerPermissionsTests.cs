using System.Text.RegularExpressions;
using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.Testing;

namespace GoCoffee.ServiceDefaults.Tests;

/// <summary>
/// scripts/broker-permissions.tsv (what infra.sh and the test harness grant) agrees with TrustedSenders: a guarded
/// message's exchange is writable by its owning service's user alone, and readable by the gateway only for the
/// tenant directory events.
/// </summary>
public sealed class BrokerPermissionsTests
{
    private static readonly string[] Processes = ["tenant", "ai-workload", "observability", "orders", "web3", "cluster-agent", "gateway"];

    [Fact]
    public void Every_process_of_the_platform_has_a_broker_user()
    {
        Assert.Equal(Processes.Order(), BrokerPermissions.Production.Keys.Order());
    }

    [Fact]
    public void Only_the_owning_service_may_publish_a_message_that_grants_access_or_drives_the_cluster_agent()
    {
        foreach (var (type, owner) in TrustedSenders.All)
        {
            var exchange = $"{type.Namespace}:{type.Name}";
            var writers = BrokerPermissions.Production.Where(user => Matches(user.Value.Write, exchange)).Select(user => user.Key);
            Assert.True(writers.SequenceEqual([owner]), $"{exchange} is writable by [{string.Join(", ", writers)}], not only by {owner}");
        }
    }

    [Fact]
    public void The_gateway_writes_only_its_own_queues_and_reads_only_the_tenant_directory_events()
    {
        var gateway = BrokerPermissions.Production["gateway"];
        Assert.True(Matches(gateway.Write, "gateway-tenant-directory-host-1"));
        Assert.False(Matches(gateway.Write, "GoCoffee.Contracts.Tenants:ApiKeyIssued"));
        Assert.False(Matches(gateway.Write, "tenant-tenant-lifecycle-state"));
        Assert.True(Matches(gateway.Read, "GoCoffee.Contracts.Tenants:ApiKeyIssued"));
        Assert.False(Matches(gateway.Read, "GoCoffee.Contracts.Cluster:ProvisionTenantNamespaces"));
        Assert.False(Matches(gateway.Read, "GoCoffee.Contracts.Tenants:TenantRegistered"));
        Assert.False(Matches(gateway.Configure, "cluster-agent-provision-tenant-namespaces"));
    }

    [Fact]
    public void A_service_may_not_touch_another_services_queues()
    {
        foreach (var (service, permissions) in BrokerPermissions.Production)
        {
            foreach (var other in Processes.Where(other => other != service))
            {
                var queue = $"{other}-some-consumer";
                Assert.False(Matches(permissions.Configure, queue) || Matches(permissions.Write, queue) || Matches(permissions.Read, queue), $"{service} may use {queue}");
            }
        }
    }

    // RabbitMQ matches permissions unanchored (the file anchors them); these expressions mean the same in .NET.
    private static bool Matches(string pattern, string name) => Regex.IsMatch(name, pattern);
}
