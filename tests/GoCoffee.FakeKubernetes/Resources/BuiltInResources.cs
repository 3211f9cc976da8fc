namespace GoCoffee.FakeKubernetes;

/// <summary>The kinds a fresh fake serves without registration.</summary>
public static class BuiltInResources
{
    private static readonly ScaleSubresource WorkloadScale = new(LabelSelectorPath: ".spec.selector");

    /// <remarks>
    /// <see cref="ResourceDefinition.ReturnDeletedObject"/> follows the real API's DELETE responses (what typed clients
    /// expect): pods, services, quotas, PVCs, service accounts and custom resources answer with the object; namespaces
    /// answer with the deleted namespace as well (the real one is then Terminating); the rest with a Success Status.
    /// </remarks>
    public static IReadOnlyList<ResourceDefinition> All { get; } =
    [
        // core/v1
        new("", "v1", "Namespace", "namespaces", Namespaced: false) { ShortNames = ["ns"], HasStatus = true, NameRule = NameRule.DnsLabel, ReturnDeletedObject = true },
        new("", "v1", "ResourceQuota", "resourcequotas", Namespaced: true) { ShortNames = ["quota"], HasStatus = true, ReturnDeletedObject = true },
        new("", "v1", "LimitRange", "limitranges", Namespaced: true) { ShortNames = ["limits"] },
        new("", "v1", "Service", "services", Namespaced: true) { ShortNames = ["svc"], HasStatus = true, NameRule = NameRule.Dns1035Label, ReturnDeletedObject = true, Categories = ["all"] },
        new("", "v1", "ConfigMap", "configmaps", Namespaced: true) { ShortNames = ["cm"] },
        new("", "v1", "Secret", "secrets", Namespaced: true),
        new("", "v1", "Pod", "pods", Namespaced: true) { ShortNames = ["po"], HasStatus = true, RequiredFields = ["spec.containers"], ReturnDeletedObject = true, Categories = ["all"] },
        new("", "v1", "ServiceAccount", "serviceaccounts", Namespaced: true) { ShortNames = ["sa"], ReturnDeletedObject = true },
        new("", "v1", "Event", "events", Namespaced: true) { ShortNames = ["ev"] },
        new("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", Namespaced: true) { ShortNames = ["pvc"], HasStatus = true, ReturnDeletedObject = true },

        // apps/v1
        new("apps", "v1", "Deployment", "deployments", Namespaced: true)
        {
            ShortNames = ["deploy"], HasStatus = true, Scale = WorkloadScale,
            RequiredFields = ["spec.selector", "spec.template"], Categories = ["all"],
        },
        new("apps", "v1", "StatefulSet", "statefulsets", Namespaced: true)
        {
            ShortNames = ["sts"], HasStatus = true, Scale = WorkloadScale,
            RequiredFields = ["spec.selector", "spec.template"], Categories = ["all"],
        },
        new("apps", "v1", "ReplicaSet", "replicasets", Namespaced: true)
        {
            ShortNames = ["rs"], HasStatus = true, Scale = WorkloadScale, RequiredFields = ["spec.selector"], Categories = ["all"],
        },
        new("apps", "v1", "DaemonSet", "daemonsets", Namespaced: true)
        {
            ShortNames = ["ds"], HasStatus = true, RequiredFields = ["spec.selector", "spec.template"], Categories = ["all"],
        },

        // batch/v1
        new("batch", "v1", "Job", "jobs", Namespaced: true) { HasStatus = true, RequiredFields = ["spec.template"], Categories = ["all"] },
        new("batch", "v1", "CronJob", "cronjobs", Namespaced: true) { ShortNames = ["cj"], HasStatus = true, RequiredFields = ["spec.schedule", "spec.jobTemplate"], Categories = ["all"] },

        // autoscaling/v2
        new("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", Namespaced: true)
        {
            ShortNames = ["hpa"], HasStatus = true, RequiredFields = ["spec.scaleTargetRef", "spec.maxReplicas"], Categories = ["all"],
        },

        // policy/v1
        new("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", Namespaced: true) { ShortNames = ["pdb"], HasStatus = true },

        // networking.k8s.io/v1
        new("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", Namespaced: true) { ShortNames = ["netpol"] },
        new("networking.k8s.io", "v1", "Ingress", "ingresses", Namespaced: true) { ShortNames = ["ing"], HasStatus = true },

        // coordination.k8s.io/v1
        new("coordination.k8s.io", "v1", "Lease", "leases", Namespaced: true),

        // rbac.authorization.k8s.io/v1
        new("rbac.authorization.k8s.io", "v1", "Role", "roles", Namespaced: true) { NameRule = NameRule.PathSegment },
        new("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", Namespaced: true) { NameRule = NameRule.PathSegment, RequiredFields = ["roleRef"] },
        new("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", Namespaced: false) { NameRule = NameRule.PathSegment },
        new("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", Namespaced: false) { NameRule = NameRule.PathSegment, RequiredFields = ["roleRef"] },

        // apiextensions.k8s.io/v1: creating a CRD registers its resource (see CrdRegistration).
        new("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", Namespaced: false)
        {
            ShortNames = ["crd", "crds"], HasStatus = true, RequiredFields = ["spec.group", "spec.names", "spec.scope", "spec.versions"],
        },

        // monitoring.coreos.com/v1 (Prometheus Operator CRDs, present in the target clusters)
        ResourceDefinition.Custom("monitoring.coreos.com", "v1", "ServiceMonitor", "servicemonitors", namespaced: true, status: false, "smon"),
        ResourceDefinition.Custom("monitoring.coreos.com", "v1", "PodMonitor", "podmonitors", namespaced: true, status: false, "pmon"),
        ResourceDefinition.Custom("monitoring.coreos.com", "v1", "PrometheusRule", "prometheusrules", namespaced: true, status: false, "promrule"),
        ResourceDefinition.Custom("monitoring.coreos.com", "v1", "Prometheus", "prometheuses", namespaced: true, status: true, "prom"),
        ResourceDefinition.Custom("monitoring.coreos.com", "v1", "Alertmanager", "alertmanagers", namespaced: true, status: true, "am"),
        ResourceDefinition.Custom("monitoring.coreos.com", "v1alpha1", "AlertmanagerConfig", "alertmanagerconfigs", namespaced: true, status: false, "amcfg"),
    ];
}
