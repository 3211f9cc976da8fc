namespace GoCoffee.ClusterAgent.Objects;

/// <summary>A Kubernetes type as manifests name it: <c>apps/v1 Deployment</c>.</summary>
public sealed record ObjectKind(string ApiVersion, string Kind)
{
    public static readonly ObjectKind Namespace = new("v1", "Namespace");
    public static readonly ObjectKind ResourceQuota = new("v1", "ResourceQuota");
    public static readonly ObjectKind LimitRange = new("v1", "LimitRange");
    public static readonly ObjectKind NetworkPolicy = new("networking.k8s.io/v1", "NetworkPolicy");
    public static readonly ObjectKind Role = new("rbac.authorization.k8s.io/v1", "Role");
    public static readonly ObjectKind RoleBinding = new("rbac.authorization.k8s.io/v1", "RoleBinding");
    public static readonly ObjectKind Deployment = new("apps/v1", "Deployment");
    public static readonly ObjectKind StatefulSet = new("apps/v1", "StatefulSet");

    /// <summary>The API group; empty for the core group (<c>v1</c>).</summary>
    public string Group => ApiVersion.Contains('/') ? ApiVersion[..ApiVersion.IndexOf('/')] : string.Empty;

    public string Version => ApiVersion.Contains('/') ? ApiVersion[(ApiVersion.IndexOf('/') + 1)..] : ApiVersion;

    public static ObjectKind Of(Contracts.ClusterObjectRef reference) => new(reference.ApiVersion, reference.Kind);

    public override string ToString() => $"{ApiVersion} {Kind}";
}
