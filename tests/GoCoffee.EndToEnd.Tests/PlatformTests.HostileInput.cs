using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using GoCoffee.Testing;
using Xunit;

namespace GoCoffee.EndToEnd.Tests;

public sealed partial class PlatformTests
{
    /// <summary>The tenant service's own limit on a resource document (TenantsApi.MaxDocumentBytes); the gateway allows 1 MiB.</summary>
    private const int TenantDocumentLimitBytes = 256 * 1024;

    [Fact]
    public async Task The_deepest_document_the_body_limit_allows_is_refused_in_yaml_and_json_and_the_same_tenant_process_keeps_serving()
    {
        var service = platform["tenant"];
        var pid = service.Pid;
        var tenantId = $"e2e-deep-{Guid.NewGuid():N}"[..16];
        var (createdStatus, created) = await SendAsOperator(HttpMethod.Post, "/api/tenants", "application/json", JsonSerializer.Serialize(new
        {
            apiVersion = "tenant.gocoffee.dev/v1",
            kind = "Tenant",
            metadata = new { name = tenantId },
            spec = new { tenantId, tier = "basic", resources = new { namespaces = 1, cpu = "1", memory = "2Gi", storage = "5Gi" }, owners = new[] { "e2e@example.com" } },
        }));
        Assert.True(createdStatus == HttpStatusCode.Accepted, $"create answered {(int)createdStatus}: {created}");
        await TestInfrastructure.Eventually(
            async () => (await SendAsOperator(HttpMethod.Get, $"/api/tenants/{tenantId}", null, null)).Body.Contains("\"phase\":\"Active\"", StringComparison.Ordinal) ? (bool?)true : null,
            TimeSpan.FromSeconds(60),
            $"{tenantId} becomes Active{Environment.NewLine}{platform.Diagnostics()}");

        // Every byte an open bracket: as deep as a document that size can be, in either form (YAML's flow style is JSON's).
        var deepest = new string('[', TenantDocumentLimitBytes);
        var (overStatus, over) = await SendAsOperator(HttpMethod.Post, "/api/tenants", "application/json", deepest + "[");
        Assert.True(overStatus == HttpStatusCode.RequestEntityTooLarge, $"one byte more than the limit answered {(int)overStatus}: {over}");

        foreach (var (method, path) in new[] { (HttpMethod.Patch, $"/api/tenants/{tenantId}"), (HttpMethod.Post, "/api/tenants") })
        {
            foreach (var contentType in new[] { "application/yaml", method == HttpMethod.Patch ? "application/merge-patch+json" : "application/json" })
            {
                var (status, problem) = await SendAsOperator(method, path, contentType, deepest);
                Assert.True(status == HttpStatusCode.BadRequest, $"{method} {path} as {contentType}, {deepest.Length} nested brackets, answered {(int)status}: {problem}{Environment.NewLine}{service.Tail()}");
                Assert.Contains("max depth 32", problem, StringComparison.Ordinal);
                Assert.False(service.HasExited, $"the tenant service died on {method} {contentType}{Environment.NewLine}{service.Tail()}");
            }
        }

        // The same process, still serving: a normal change and a read.
        var (changedStatus, changed) = await SendAsOperator(HttpMethod.Patch, $"/api/tenants/{tenantId}", "application/merge-patch+json", """{"displayName":"Survived the brackets"}""");
        Assert.True(changedStatus == HttpStatusCode.Accepted, $"a normal PATCH afterwards answered {(int)changedStatus}: {changed}");
        var (readStatus, read) = await SendAsOperator(HttpMethod.Get, $"/api/tenants/{tenantId}", null, null);
        Assert.Equal(HttpStatusCode.OK, readStatus);
        Assert.Contains("Survived the brackets", read, StringComparison.Ordinal);
        Assert.Equal(pid, service.Pid);
        Assert.False(service.HasExited);
    }

    private async Task<(HttpStatusCode Status, string Body)> SendAsOperator(HttpMethod method, string path, string? contentType, string? body)
    {
        using var request = new HttpRequestMessage(method, Gateway(path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", platform.OperatorToken);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType!);
        }

        using var response = await platform.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
