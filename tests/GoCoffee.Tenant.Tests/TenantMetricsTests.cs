using System.Net;
using GoCoffee.Testing;

namespace GoCoffee.Tenant.Tests;

/// <summary>The tenant service's gauges on <c>/metrics</c>, which the alert pack and the tenants dashboard query.</summary>
public sealed class TenantMetricsTests(PlatformWithFakeKubernetes platform) : IClassFixture<PlatformWithFakeKubernetes>
{
    [Fact]
    public async Task An_active_tenant_shows_its_phase_its_quota_and_its_age_and_the_lifecycle_saga_and_outbox_are_measured()
    {
        using var created = await platform.PostYaml(TenantDocuments.Yaml("metrics-1", "premium", namespaces: 1));
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        await platform.WaitForPhase("metrics-1", "Active");

        var metrics = await TestInfrastructure.Eventually(
            async () => await platform.Tenants.AnonymousClient().GetStringAsync("/metrics") is { } text
                        && Metric(text, "gocoffee_tenant_phase", "tenant=\"metrics-1\"", "phase=\"Active\"") == "1" ? text : null,
            TimeSpan.FromSeconds(20),
            "the tenant's phase gauge says Active");

        Assert.Equal("0", Metric(metrics, "gocoffee_tenant_phase", "tenant=\"metrics-1\"", "phase=\"Provisioning\""));
        Assert.Equal("1", Metric(metrics, "gocoffee_tenant_quota_hard", "tenant=\"metrics-1\"", "resource=\"namespaces\""));
        Assert.Equal("0", Metric(metrics, "gocoffee_tenant_quota_used", "tenant=\"metrics-1\"", "resource=\"gpus\""));
        Assert.True(double.Parse(Metric(metrics, "gocoffee_tenant_unchanged_for_seconds", "tenant=\"metrics-1\"")!, System.Globalization.CultureInfo.InvariantCulture) >= 0);
        Assert.Equal("0", Metric(metrics, "gocoffee_saga_past_deadline", "saga=\"tenant-lifecycle\""));
        Assert.NotNull(Metric(metrics, "gocoffee_outbox_oldest_due_age_seconds"));
    }

    private static string? Metric(string exposition, string name, params string[] labels) =>
        exposition.Split('\n')
            .Where(line => (line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal)) && labels.All(line.Contains))
            .Select(line => line[(line.LastIndexOf(line.Contains('}') ? '}' : ' ') + 1)..].Trim().Split(' ')[0])
            .FirstOrDefault();
}
