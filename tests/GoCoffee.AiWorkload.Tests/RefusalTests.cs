using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace GoCoffee.AiWorkload.Tests;

/// <summary>
/// Documents the rules refuse: a 422 problem naming the field and the rule, and nothing reserved in the tenant's
/// ledger or created in the cluster.
/// </summary>
public sealed class RefusalTests(RefusalTests.Platform platform) : IClassFixture<RefusalTests.Platform>
{
    public sealed class Platform : AiPlatform
    {
        private bool _ready;

        public async Task Prepare()
        {
            if (_ready)
            {
                return;
            }

            await CreateTenant("strict", gpuQuota: 2, models: ["coffee-recommendation", "unregistered"], gpuTypes: ["nvidia-tesla-t4"]);
            await CreateTenant("noai", ai: false);
            await RegisterModel("strict", "coffee-recommendation", "v1");
            await RegisterModel("strict", "coffee-recommendation", "v0");
            await RegisterModel("strict", "not-allowed", "v1");
            var archived = await AiClient("strict").PostAsync("/api/ai/models/coffee-recommendation/versions/v0/archive", null);
            Assert.Equal(HttpStatusCode.OK, archived.StatusCode);
            _ready = true;
        }
    }

    public static TheoryData<string, string, string> Refused => new()
    {
        { "unknown model", DeploymentTests.Workload("w1", "v1", gpus: 1, model: "unregistered"), "spec.model.name" },
        { "unknown version", DeploymentTests.Workload("w2", "v9", gpus: 1), "spec.model.version" },
        { "archived version", DeploymentTests.Workload("w3", "v0", gpus: 1), "spec.model.version" },
        { "gpu type not allowed by the tier", DeploymentTests.Workload("w4", "v1", gpus: 1, gpuType: "nvidia-tesla-a100"), "spec.resources.gpu.type" },
        { "model not in the tenant's list", DeploymentTests.Workload("w5", "v1", gpus: 1, model: "not-allowed"), "spec.model.name" },
        { "more gpus than the quota", DeploymentTests.Workload("w6", "v1", gpus: 1, min: 3, max: 3), "spec.resources.gpu.count" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_workload_the_tenant_or_registry_does_not_allow_is_refused_before_anything_is_reserved_or_created(string because, string yaml, string field)
    {
        await platform.Prepare();
        var response = await platform.ApplyWorkload("strict", yaml);
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity || response.StatusCode == HttpStatusCode.BadRequest, because);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{because}: {problem}");
        await AssertNothingHeld("strict");
    }

    [Fact]
    public async Task A_tenant_without_ai_gets_a_problem_saying_so()
    {
        await platform.Prepare();
        await platform.RegisterModel("noai", "coffee-recommendation", "v1");
        var response = await platform.ApplyWorkload("noai", DeploymentTests.Workload("w", "v1", gpus: 0));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("tenant.spec.services.ai.enabled", out var rule), problem.ToString());
        Assert.Contains("does not have AI enabled", rule[0].GetString());
        Assert.Empty(platform.Kubernetes.Objects("deployments", "noai-1"));
    }

    public static TheoryData<string, string> HostileWorkloads => new()
    {
        { "{\"apiVersion\":\"ai.gocoffee.dev/v1\",\"kind\":\"AIWorkload\",\"metadata\":{\"name\":\"a\"},\"spec\":{\"workloadType\":\"inference\",\"model\":{\"name\":\"m\",\"version\":\"v1\"},\"resources\":{},\"extra\":1}}", "spec.extra" },
        { "{\"apiVersion\":\"ai.gocoffee.dev/v1\",\"apiVersion\":\"x\"}", "apiVersion" },
        { "[1,2,3]", "$" },
        { "", "$" },
        { "not json", "$" },
        { new string('[', 200) + new string(']', 200), "$" },
        { Doc("metadata: { name: \"UPPER\" }"), "metadata.name" },
        { Doc("metadata: { name: \"" + new string('a', 64) + "\" }"), "metadata.name" },
        { Doc("metadata: { name: ok, namespace: kube-system }"), "metadata.namespace" },
        { Doc("metadata: { name: ok, namespace: other-tenant-1 }"), "metadata.namespace" },
        { Doc(kind: "Pod"), "kind" },
        { Doc(apiVersion: "v1"), "apiVersion" },
        { Doc(workloadType: "mining"), "spec.workloadType" },
        { Doc(model: "{ name: \"../etc\", version: v1 }"), "spec.model.name" },
        { Doc(model: "{ name: m, version: \"v1; rm -rf\" }"), "spec.model.version" },
        { Doc(model: "{ name: m, version: v1, source: \"file:///etc/passwd\" }"), "spec.model.source" },
        { Doc(model: "{ name: m, version: v1, source: \"gs://../../x\" }"), "spec.model.source" },
        { Doc(resources: "{ gpu: { type: nvidia-tesla-t4, count: 9 } }"), "spec.resources.gpu.count" },
        { Doc(resources: "{ gpu: { type: nvidia-tesla-t4, count: -1 } }"), "spec.resources.gpu.count" },
        { Doc(resources: "{ gpu: { type: nvidia-gtx-1080, count: 1 } }"), "spec.resources.gpu.type" },
        { Doc(resources: "{ gpu: { count: 1 } }"), "spec.resources.gpu.type" },
        { Doc(resources: "{ cpu: lots }"), "spec.resources.cpu" },
        { Doc(resources: "{ memory: \"-4Gi\" }"), "spec.resources.memory" },
        { Doc(resources: "{ storage: \"1e999999\" }"), "spec.resources.storage" },
        { Doc(scaling: "{ minReplicas: 5, maxReplicas: 2 }"), "spec.scaling.minReplicas" },
        { Doc(scaling: "{ maxReplicas: 100000 }"), "spec.scaling.maxReplicas" },
        { Doc(scaling: "{ targetGPUUtilization: 0 }"), "spec.scaling.targetGPUUtilization" },
        { Doc(scaling: "{ targetCPUUtilization: 101 }"), "spec.scaling.targetCPUUtilization" },
        { Doc(scaling: "{ scaleUpDelay: forever }"), "spec.scaling.scaleUpDelay" },
        { Doc(scaling: "{ scaleDownDelay: \"999h\" }"), "spec.scaling.scaleDownDelay" },
        { Doc(scaling: "{ minReplicas: \"two\" }"), "spec.scaling.minReplicas" },
        { Doc(extra: "dataSource: { type: ftp, location: x }"), "spec.dataSource.type" },
        { Doc(extra: "monitoring: { loggingLevel: shout }"), "spec.monitoring.loggingLevel" },
        { Doc(extra: "security: { serviceAccount: \"Root Account\" }"), "spec.security.serviceAccount" },
        { Doc(extra: "security: { podSecurityContext: { runAsNonRoot: true, runAsUser: 0 } }"), "spec.security.podSecurityContext.runAsUser" },
        { Doc(extra: "monitoring: { alerting: { thresholds: { errorRate: 7 } } }"), "spec.monitoring.alerting.thresholds.errorRate" },
    };

    [Theory]
    [MemberData(nameof(HostileWorkloads))]
    public async Task A_hostile_workload_document_is_refused_naming_the_field(string document, string field)
    {
        await platform.Prepare();
        using var content = new StringContent(document, Encoding.UTF8, document.StartsWith('{') || document.StartsWith('[') || document.Length == 0 || document == "not json" ? "application/json" : "application/yaml");
        var response = await platform.AiClient("strict").PostAsync("/api/ai/workloads", content);
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{response.StatusCode}");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        await AssertNothingHeld("strict");
    }

    public static TheoryData<string, string> HostileModels => new()
    {
        { "{\"name\":\"m\",\"version\":\"v1\",\"framework\":\"onnx\",\"source\":\"ftp://x/y\"}", "source" },
        { "{\"name\":\"m\",\"version\":\"v1\",\"framework\":\"onnx\"}", "source" },
        { "{\"name\":\"m\",\"version\":\"v1\",\"framework\":\"cobol\",\"source\":\"gs://b/m\"}", "framework" },
        { "{\"name\":\"M M\",\"version\":\"v1\",\"framework\":\"onnx\",\"source\":\"gs://b/m\"}", "name" },
        { "{\"name\":\"m\",\"version\":\"\",\"framework\":\"onnx\",\"source\":\"gs://b/m\"}", "version" },
        { "{\"name\":\"m\",\"version\":\"v1\",\"framework\":\"onnx\",\"type\":\"llm\",\"source\":\"gs://b/m\"}", "type" },
        { "{\"name\":\"m\",\"version\":\"v1\",\"framework\":\"onnx\",\"source\":\"gs://b/m\",\"performance\":{\"accuracy\":1.5}}", "performance.accuracy" },
        { "{\"name\":\"m\",\"version\":\"v1\",\"framework\":\"onnx\",\"source\":\"gs://b/m\",\"performance\":{\"latency\":-1}}", "performance.latency" },
        { "{\"name\":\"m\",\"version\":\"v1\",\"framework\":\"onnx\",\"source\":\"gs://b/m\",\"owner\":\"me\"}", "owner" },
        { "{\"name\":\"m\",\"version\":\"v1\",\"framework\":\"onnx\",\"source\":\"https://exa mple.com/m\"}", "source" },
    };

    [Theory]
    [MemberData(nameof(HostileModels))]
    public async Task A_hostile_model_document_is_refused_naming_the_field(string document, string field)
    {
        await platform.Prepare();
        using var content = new StringContent(document, Encoding.UTF8, "application/json");
        var response = await platform.AiClient("strict").PostAsync("/api/ai/models", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await platform.AiClient("strict").GetAsync("/api/ai/models/m")).StatusCode);
    }

    private async Task AssertNothingHeld(string tenantId)
    {
        Assert.Equal(0, (await platform.Quota(tenantId)).GetProperty("reserved").GetProperty("gpus").GetInt32());
        Assert.Empty(platform.Kubernetes.Objects("deployments", $"{tenantId}-1"));
    }

    private static string Doc(
        string metadata = "metadata: { name: hostile }",
        string apiVersion = "ai.gocoffee.dev/v1",
        string kind = "AIWorkload",
        string workloadType = "inference",
        string model = "{ name: coffee-recommendation, version: v1 }",
        string resources = "{ cpu: \"1\" }",
        string scaling = "{ minReplicas: 1, maxReplicas: 2 }",
        string extra = "") => $"""
        apiVersion: {apiVersion}
        kind: {kind}
        {metadata}
        spec:
          workloadType: {workloadType}
          model: {model}
          resources: {resources}
          scaling: {scaling}
        {(extra.Length == 0 ? string.Empty : "  " + extra)}
        """;
}
