using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.Objects;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Ai;

namespace GoCoffee.ClusterAgent.AiWorkloads;

/// <summary>
/// The Kubernetes objects of one AI workload: a Deployment running the model server chosen for the model's framework
/// (GPU limits, GKE's accelerator node selector, the GPU toleration, and an init container that fetches the model from
/// its source URI into a shared volume, as KServe's storage initializer does), a Service, a PodDisruptionBudget, a
/// NetworkPolicy, and for a CPU-scaled workload a HorizontalPodAutoscaler.
/// </summary>
public static class AiWorkloadObjects
{
    public const string WorkloadLabel = "gocoffee.dev/ai-workload";
    public const string ModelVersionAnnotation = "gocoffee.dev/model-version";
    public const string GpuResource = "nvidia.com/gpu";
    public const string AcceleratorNodeLabel = "cloud.google.com/gke-accelerator";
    public const string ModelDirectory = "/mnt/models";
    public const int ProgressDeadlineSeconds = 600;

    public static readonly ObjectKind Service = new("v1", "Service");
    public static readonly ObjectKind PodDisruptionBudget = new("policy/v1", "PodDisruptionBudget");
    public static readonly ObjectKind HorizontalPodAutoscaler = new("autoscaling/v2", "HorizontalPodAutoscaler");

    public static IReadOnlyList<JsonObject> For(AiWorkloadPlan plan)
    {
        var objects = new List<JsonObject> { Deployment(plan), ServiceFor(plan), Pdb(plan), NetworkPolicy(plan) };
        if (plan.CpuTarget is not null)
        {
            objects.Add(Hpa(plan));
        }

        return objects;
    }

    /// <summary>Every object a workload of this name can have, whether or not this plan makes it (what deleting removes).</summary>
    public static IReadOnlyList<ClusterObjectRef> All(string ns, string name) =>
    [
        new(HorizontalPodAutoscaler.ApiVersion, HorizontalPodAutoscaler.Kind, ns, name),
        new(ObjectKind.NetworkPolicy.ApiVersion, ObjectKind.NetworkPolicy.Kind, ns, name),
        new(PodDisruptionBudget.ApiVersion, PodDisruptionBudget.Kind, ns, name),
        new(Service.ApiVersion, Service.Kind, ns, name),
        new(ObjectKind.Deployment.ApiVersion, ObjectKind.Deployment.Kind, ns, name),
    ];

    public static ClusterObjectRef DeploymentOf(string ns, string name) => new(ObjectKind.Deployment.ApiVersion, ObjectKind.Deployment.Kind, ns, name);

    public static JsonObject Deployment(AiWorkloadPlan plan)
    {
        var limits = new JsonObject();
        var requests = new JsonObject();
        if (plan.Cpu is { } cpu)
        {
            limits["cpu"] = cpu;
            requests["cpu"] = cpu;
        }

        if (plan.Memory is { } memory)
        {
            limits["memory"] = memory;
            requests["memory"] = memory;
        }

        if (plan.GpusPerReplica > 0)
        {
            limits[GpuResource] = plan.GpusPerReplica.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var podSpec = new JsonObject
        {
            ["securityContext"] = new JsonObject { ["runAsNonRoot"] = true, ["seccompProfile"] = new JsonObject { ["type"] = "RuntimeDefault" } },
            ["volumes"] = new JsonArray(new JsonObject { ["name"] = "model-store", ["emptyDir"] = new JsonObject() }),
            ["initContainers"] = new JsonArray(new JsonObject
            {
                ["name"] = "storage-initializer",
                ["image"] = plan.StorageInitializerImage,
                ["args"] = new JsonArray(plan.ModelSource, ModelDirectory),
                ["volumeMounts"] = new JsonArray(new JsonObject { ["name"] = "model-store", ["mountPath"] = ModelDirectory }),
                ["resources"] = new JsonObject
                {
                    ["requests"] = new JsonObject { ["cpu"] = "100m", ["memory"] = "100Mi" },
                    ["limits"] = new JsonObject { ["cpu"] = "1", ["memory"] = "1Gi" },
                },
                ["securityContext"] = ContainerSecurity(),
            }),
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "model-server",
                ["image"] = plan.RuntimeImage,
                ["args"] = new JsonArray([.. plan.RuntimeArgs.Select(a => (JsonNode?)JsonValue.Create(a.Replace("{modelDir}", ModelDirectory, StringComparison.Ordinal)))]),
                ["env"] = new JsonArray(
                    new JsonObject { ["name"] = "MODEL_NAME", ["value"] = plan.Model },
                    new JsonObject { ["name"] = "MODEL_VERSION", ["value"] = plan.ModelVersion },
                    new JsonObject { ["name"] = "MODEL_FRAMEWORK", ["value"] = plan.Framework }),
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["containerPort"] = plan.RuntimePort, ["protocol"] = "TCP" }),
                ["resources"] = new JsonObject { ["requests"] = requests, ["limits"] = limits },
                ["volumeMounts"] = new JsonArray(new JsonObject { ["name"] = "model-store", ["mountPath"] = ModelDirectory, ["readOnly"] = true }),
                ["readinessProbe"] = new JsonObject { ["tcpSocket"] = new JsonObject { ["port"] = "http" }, ["periodSeconds"] = 5 },
                ["securityContext"] = ContainerSecurity(),
            }),
        };
        if (plan.GpusPerReplica > 0 && plan.GpuType is { } gpuType)
        {
            podSpec["nodeSelector"] = new JsonObject { [AcceleratorNodeLabel] = gpuType };
            podSpec["tolerations"] = new JsonArray(new JsonObject { ["key"] = GpuResource, ["operator"] = "Exists", ["effect"] = "NoSchedule" });
        }

        if (plan.ServiceAccount is { } account)
        {
            podSpec["serviceAccountName"] = account;
        }

        return new JsonObject
        {
            ["apiVersion"] = ObjectKind.Deployment.ApiVersion,
            ["kind"] = ObjectKind.Deployment.Kind,
            ["metadata"] = Metadata(plan, new JsonObject { [ModelVersionAnnotation] = plan.ModelVersion }),
            ["spec"] = new JsonObject
            {
                ["replicas"] = plan.Replicas,
                ["progressDeadlineSeconds"] = ProgressDeadlineSeconds,
                ["selector"] = new JsonObject { ["matchLabels"] = Selector(plan) },
                ["strategy"] = new JsonObject { ["type"] = "RollingUpdate", ["rollingUpdate"] = new JsonObject { ["maxUnavailable"] = 0, ["maxSurge"] = 1 } },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = Labels(plan), ["annotations"] = new JsonObject { [ModelVersionAnnotation] = plan.ModelVersion } },
                    ["spec"] = podSpec,
                },
            },
        };
    }

    private static JsonObject ServiceFor(AiWorkloadPlan plan) => new()
    {
        ["apiVersion"] = Service.ApiVersion,
        ["kind"] = Service.Kind,
        ["metadata"] = Metadata(plan),
        ["spec"] = new JsonObject
        {
            ["type"] = "ClusterIP",
            ["selector"] = Selector(plan),
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = 80, ["targetPort"] = "http", ["protocol"] = "TCP" }),
        },
    };

    private static JsonObject Pdb(AiWorkloadPlan plan) => new()
    {
        ["apiVersion"] = PodDisruptionBudget.ApiVersion,
        ["kind"] = PodDisruptionBudget.Kind,
        ["metadata"] = Metadata(plan),
        ["spec"] = new JsonObject { ["maxUnavailable"] = 1, ["selector"] = new JsonObject { ["matchLabels"] = Selector(plan) } },
    };

    private static JsonObject NetworkPolicy(AiWorkloadPlan plan) => new()
    {
        ["apiVersion"] = ObjectKind.NetworkPolicy.ApiVersion,
        ["kind"] = ObjectKind.NetworkPolicy.Kind,
        ["metadata"] = Metadata(plan),
        ["spec"] = new JsonObject
        {
            ["podSelector"] = new JsonObject { ["matchLabels"] = Selector(plan) },
            ["policyTypes"] = new JsonArray("Ingress"),
            ["ingress"] = new JsonArray(new JsonObject
            {
                ["from"] = new JsonArray(new JsonObject { ["podSelector"] = new JsonObject() }),
                ["ports"] = new JsonArray(new JsonObject { ["protocol"] = "TCP", ["port"] = plan.RuntimePort }),
            }),
        },
    };

    private static JsonObject Hpa(AiWorkloadPlan plan) => new()
    {
        ["apiVersion"] = HorizontalPodAutoscaler.ApiVersion,
        ["kind"] = HorizontalPodAutoscaler.Kind,
        ["metadata"] = Metadata(plan),
        ["spec"] = new JsonObject
        {
            ["scaleTargetRef"] = new JsonObject { ["apiVersion"] = ObjectKind.Deployment.ApiVersion, ["kind"] = ObjectKind.Deployment.Kind, ["name"] = plan.Name },
            ["minReplicas"] = Math.Max(1, plan.MinReplicas),
            ["maxReplicas"] = plan.MaxReplicas,
            ["metrics"] = new JsonArray(new JsonObject
            {
                ["type"] = "Resource",
                ["resource"] = new JsonObject { ["name"] = "cpu", ["target"] = new JsonObject { ["type"] = "Utilization", ["averageUtilization"] = plan.CpuTarget } },
            }),
        },
    };

    private static JsonObject ContainerSecurity() => new()
    {
        ["allowPrivilegeEscalation"] = false,
        ["capabilities"] = new JsonObject { ["drop"] = new JsonArray("ALL") },
    };

    private static JsonObject Metadata(AiWorkloadPlan plan, JsonObject? annotations = null)
    {
        var metadata = new JsonObject { ["name"] = plan.Name, ["namespace"] = plan.Namespace, ["labels"] = Labels(plan) };
        if (annotations is not null)
        {
            metadata["annotations"] = annotations;
        }

        return metadata;
    }

    private static JsonObject Labels(AiWorkloadPlan plan)
    {
        var labels = new JsonObject();
        foreach (var (key, value) in PlatformLabels.ForTenant(plan.TenantId))
        {
            labels[key] = value;
        }

        labels["app.kubernetes.io/name"] = plan.Name;
        labels["app.kubernetes.io/component"] = "model-server";
        labels[WorkloadLabel] = plan.Name;
        return labels;
    }

    private static JsonObject Selector(AiWorkloadPlan plan) => new() { [WorkloadLabel] = plan.Name, [PlatformLabels.Tenant] = plan.TenantId };
}
