using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoCoffee.Testing;

namespace GoCoffee.Tenant.Tests;

/// <summary>Stops the shared broker: runs alone, after every other test of this project.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrokerOutageCollection
{
    public const string Name = "broker outage";
}

[Collection(BrokerOutageCollection.Name)]
public sealed class BrokerRestartTests : IAsyncLifetime
{
    private readonly PlatformWithFakeKubernetes _platform = new();

    public Task InitializeAsync() => _platform.InitializeAsync();

    public Task DisposeAsync() => _platform.DisposeAsync();

    [Fact]
    public async Task Onboarding_survives_a_RabbitMQ_restart_with_no_step_applied_twice()
    {
        using (_platform.Kubernetes.Delay("PATCH", "limitranges", TimeSpan.FromSeconds(1)))
        {
            using var created = await _platform.PostYaml(TenantDocuments.Yaml("weathered", "premium", namespaces: 3));
            Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
            try
            {
                await RabbitMqControl.StopApp();
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
            finally
            {
                await RabbitMqControl.StartApp();
            }
        }

        var active = await _platform.WaitForPhase("weathered", "Active", TimeSpan.FromSeconds(120));
        Assert.Equal(3, active.GetProperty("status").GetProperty("namespaces").GetArrayLength());
        var audit = await _platform.Client.GetFromJsonAsync<JsonElement>("/api/tenants/weathered/audit");
        var events = audit.EnumerateArray().Select(e => e.GetProperty("event").GetString()).ToList();
        Assert.Single(events, e => e == "provisioning_started");
        Assert.Single(events, e => e == "namespaces_provisioned");
        Assert.Equal(3, _platform.Kubernetes.Objects("namespaces").Count(n => OnboardingWithFakeKubernetesTests.Label(n, "gocoffee.dev/tenant") == "weathered"));
    }
}
