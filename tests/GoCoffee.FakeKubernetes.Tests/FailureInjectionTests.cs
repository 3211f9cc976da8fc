using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GoCoffee.FakeKubernetes.Tests;

public sealed class FailureInjectionTests : FakeClusterTest
{
    [Fact]
    public async Task Injected_422_is_surfaced_with_its_message_once()
    {
        using var _ = Server.FailNext("create", "resourcequotas",
            FakeFailure.Invalid("ResourceQuota", "", "q", "spec.hard.cpu", "Invalid value: \"-1\": must be greater than or equal to 0"));

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedResourceQuotaAsync(Quota("q", "1"), "default"));
        var status = StatusOf(error);
        Assert.Equal(422, status.Code);
        Assert.Equal("Invalid", status.Reason);
        Assert.Equal("ResourceQuota \"q\" is invalid: spec.hard.cpu: Invalid value: \"-1\": must be greater than or equal to 0", status.Message);
        Assert.Equal("spec.hard.cpu", Assert.Single(status.Details.Causes).Field);

        await Client.CoreV1.CreateNamespacedResourceQuotaAsync(Quota("q", "1"), "default");
    }

    [Fact]
    public async Task Status_code_shortcut_fills_in_reason_and_details()
    {
        using var _ = Server.FailNext("get", "ns", 500, "etcd is sad", name: "default", times: 2);
        for (var i = 0; i < 2; i++)
        {
            var status = StatusOf(await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReadNamespaceAsync("default")));
            Assert.Equal(("InternalError", "etcd is sad", "default"), (status.Reason, status.Message, status.Details.Name));
        }
        await Client.CoreV1.ReadNamespaceAsync("default");
        await Client.CoreV1.ReadNamespaceAsync("kube-system");
    }

    [Fact]
    public async Task Throttling_carries_retry_after()
    {
        using var _ = Server.FailNext("list", "*", FakeFailure.TooManyRequests(retryAfterSeconds: 3));
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ListNamespaceAsync());
        Assert.Equal(429, (int)error.Response.StatusCode);
        Assert.Equal(3, StatusOf(error).Details.RetryAfterSeconds);
    }

    [Fact]
    public async Task Custom_rules_see_the_request()
    {
        using var rule = Server.InjectFailure(r => r.Verb == "patch" && r.ContentType!.StartsWith("application/merge-patch+json", StringComparison.Ordinal)
            ? FakeFailure.ServiceUnavailable()
            : null);
        var patch = new V1Patch("""{"metadata":{"labels":{"a":"b"}}}""", V1Patch.PatchType.MergePatch);
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.PatchNamespaceAsync(patch, "default"));
        Assert.Equal(503, (int)error.Response.StatusCode);

        rule.Dispose();
        await Client.CoreV1.PatchNamespaceAsync(patch, "default");
    }

    [Fact]
    public async Task Delays_make_client_timeouts_happen()
    {
        using var _ = Server.Delay("get", "namespaces", TimeSpan.FromSeconds(5));
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = Server.BaseUri.ToString(), HttpClientTimeout = TimeSpan.FromMilliseconds(300) });
        var started = DateTime.UtcNow;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.CoreV1.ReadNamespaceAsync("default"));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task Requests_are_logged()
    {
        await CreateNamespaceAsync("logged");
        var request = Server.Requests.Last(r => r.Verb == "create");
        Assert.Equal(("POST", "/api/v1/namespaces", "namespaces", "Namespace"), (request.Method, request.Path, request.Resource, request.Kind));
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        Assert.Contains("\"logged\"", request.Body, StringComparison.Ordinal);
    }
}
