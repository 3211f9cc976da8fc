using GoCoffee.Contracts;
using GoCoffee.Contracts.Tenants;

namespace GoCoffee.Tenant.Lifecycle;

public static class TenantPhase
{
    public const string Pending = "Pending";
    public const string Provisioning = "Provisioning";
    public const string Active = "Active";
    public const string Suspended = "Suspended";
    public const string Terminating = "Terminating";
    public const string Deleted = "Deleted";
    public const string Failed = "Failed";
}

/// <summary>
/// The tenant as its event stream says it is: kept as an inline Marten snapshot (read model). Decisions about what
/// a request may do are made against it; it is never mutated outside its Apply methods.
/// </summary>
public sealed class Tenant
{
    /// <summary>The tenant was applied as a Kubernetes custom resource (kubectl, Argo CD) rather than posted to the API.</summary>
    public const string ClusterSource = "cluster";

    public const string ApiSource = "api";

    public string Id { get; set; } = string.Empty;

    public int Version { get; set; }

    public TenantSpec Spec { get; set; } = new();

    public string ResourceName { get; set; } = string.Empty;

    public string Source { get; set; } = ApiSource;

    public string Phase { get; set; } = TenantPhase.Pending;

    /// <summary>Bumped on every spec change, like <c>metadata.generation</c>.</summary>
    public long Generation { get; set; }

    public long ObservedGeneration { get; set; }

    public List<string> Namespaces { get; set; } = [];

    public List<ResourceCondition> Conditions { get; set; } = [];

    public string? IdempotencyKey { get; set; }

    public string RequestHash { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string? SuspensionReason { get; set; }

    /// <summary>The phase to return to if a pending deletion is cancelled.</summary>
    public string? PhaseBeforeDeletion { get; set; }

    public List<ClusterObjectRef> DeletionObjects { get; set; } = [];

    public DateTimeOffset? DeleteAfter { get; set; }

    public List<string> ApiKeyIds { get; set; } = [];

    /// <summary>AI was enabled in some version of the spec: the tenant may have AI workloads, whatever the spec says now.</summary>
    public bool AiEverEnabled { get; set; }

    public void Apply(TenantCreated e)
    {
        Id = e.TenantId;
        Spec = e.Spec;
        ResourceName = e.ResourceName;
        Source = e.Source;
        IdempotencyKey = e.IdempotencyKey;
        RequestHash = e.RequestHash;
        Generation = 1;
        AiEverEnabled = e.Spec.Services?.Ai?.Enabled == true;
        CreatedAt = UpdatedAt = e.At;
        Phase = TenantPhase.Pending;
        SetCondition("Ready", "False", "Pending", "The tenant is accepted and waits for provisioning.", e.At);
    }

    public void Apply(ProvisioningStarted e)
    {
        if (Phase is TenantPhase.Pending or TenantPhase.Failed)
        {
            Phase = TenantPhase.Provisioning;
        }

        SetCondition("Synced", "False", "Provisioning", e.Reason, e.At);
        UpdatedAt = e.At;
    }

    public void Apply(NamespacesProvisioned e)
    {
        Namespaces = [.. e.Namespaces];
        SetCondition("Synced", "False", "ConfiguringMonitoring", $"{e.ObjectCount} objects in {e.Namespaces.Count} namespaces match the spec; configuring the tenant's alert route and dashboards.", e.At);
        UpdatedAt = e.At;
    }

    public void Apply(MonitoringConfigured e)
    {
        ObservedGeneration = Generation;
        Phase = TenantPhase.Active;
        SetCondition("Synced", "True", "Provisioned", $"The namespaces and the tenant's monitoring ({string.Join(", ", e.Objects)}) match the spec.", e.At);
        SetCondition("Ready", "True", "Active", "The tenant is active.", e.At);
        UpdatedAt = e.At;
    }

    public void Apply(SpecChanged e)
    {
        Spec = e.Spec;
        AiEverEnabled |= e.Spec.Services?.Ai?.Enabled == true;
        Generation++;
        UpdatedAt = e.At;
    }

    public void Apply(ClusterStepFailed e)
    {
        Phase = TenantPhase.Failed;
        var message = $"{e.FailedObject}: {e.Message}";
        SetCondition("Synced", "False", "ChildObjectFailed", message, e.At);
        SetCondition("Ready", "False", "Failed", $"The {e.Step} step failed at {message}", e.At);
        UpdatedAt = e.At;
    }

    public void Apply(SuspensionRequested e)
    {
        SuspensionReason = e.Reason;
        SetCondition("Synced", "False", "Suspending", $"Scaling workloads to zero: {e.Reason}", e.At);
        UpdatedAt = e.At;
    }

    public void Apply(WorkloadsSuspended e)
    {
        Phase = TenantPhase.Suspended;
        SetCondition("Synced", "True", "Suspended", $"{e.Workloads} workloads scaled to zero.", e.At);
        SetCondition("Ready", "False", "Suspended", e.Reason, e.At);
        UpdatedAt = e.At;
    }

    public void Apply(ResumptionRequested e)
    {
        SetCondition("Synced", "False", "Resuming", "Restoring workloads.", e.At);
        UpdatedAt = e.At;
    }

    public void Apply(WorkloadsResumed e)
    {
        Phase = TenantPhase.Active;
        SuspensionReason = null;
        SetCondition("Synced", "True", "Resumed", $"{e.Workloads} workloads restored.", e.At);
        SetCondition("Ready", "True", "Active", "The tenant is active.", e.At);
        UpdatedAt = e.At;
    }

    public void Apply(DeletionRequested e)
    {
        PhaseBeforeDeletion = Phase;
        Phase = TenantPhase.Terminating;
        SetCondition("Ready", "False", "Terminating", $"Deletion requested; grace period {e.GracePeriod}.", e.At);
        UpdatedAt = e.At;
    }

    public void Apply(DeletionPlanned e)
    {
        DeletionObjects = [.. e.Objects];
        DeleteAfter = e.DeleteAfter;
        SetCondition("Synced", "False", "DeletionPlanned", $"{e.Objects.Count} objects will be removed after {e.DeleteAfter:O}.", e.At);
        UpdatedAt = e.At;
    }

    public void Apply(DeletionCancelled e)
    {
        Phase = PhaseBeforeDeletion ?? TenantPhase.Active;
        PhaseBeforeDeletion = null;
        DeletionObjects = [];
        DeleteAfter = null;
        SetCondition("Synced", "True", "DeletionCancelled", "The pending deletion was cancelled.", e.At);
        SetCondition("Ready", Phase == TenantPhase.Active ? "True" : "False", Phase, "Deletion cancelled.", e.At);
        UpdatedAt = e.At;
    }

    public void Apply(TenantRemoved e)
    {
        Phase = TenantPhase.Deleted;
        Namespaces = [];
        SetCondition("Synced", "True", "Deleted", $"{e.Deleted.Count} objects removed; {e.Skipped.Count} left alone (not created by the platform).", e.At);
        SetCondition("Ready", "False", "Deleted", "The tenant is deleted.", e.At);
        UpdatedAt = e.At;
    }

    public void Apply(ApiKeyAdded e)
    {
        ApiKeyIds.Add(e.KeyId);
        UpdatedAt = e.At;
    }

    public void Apply(ApiKeyWithdrawn e)
    {
        ApiKeyIds.Remove(e.KeyId);
        UpdatedAt = e.At;
    }

    /// <summary>Applies any of the tenant's events: what Marten's projection does, for code that needs the new state before the commit.</summary>
    public Tenant Evolve(object domainEvent)
    {
        switch (domainEvent)
        {
            case TenantCreated e: Apply(e); break;
            case ProvisioningStarted e: Apply(e); break;
            case NamespacesProvisioned e: Apply(e); break;
            case MonitoringConfigured e: Apply(e); break;
            case SpecChanged e: Apply(e); break;
            case ClusterStepFailed e: Apply(e); break;
            case SuspensionRequested e: Apply(e); break;
            case WorkloadsSuspended e: Apply(e); break;
            case ResumptionRequested e: Apply(e); break;
            case WorkloadsResumed e: Apply(e); break;
            case DeletionRequested e: Apply(e); break;
            case DeletionPlanned e: Apply(e); break;
            case DeletionCancelled e: Apply(e); break;
            case TenantRemoved e: Apply(e); break;
            case ApiKeyAdded e: Apply(e); break;
            case ApiKeyWithdrawn e: Apply(e); break;
            default: throw new ArgumentException($"{domainEvent.GetType().Name} is not a tenant event.", nameof(domainEvent));
        }

        return this;
    }

    public TenantStatus ToStatus() => new()
    {
        Phase = Phase,
        Namespaces = [.. Namespaces],
        Conditions = [.. Conditions],
        ObservedGeneration = ObservedGeneration,
        ServiceStatus = new Dictionary<string, string>
        {
            ["coffee"] = ServiceState(Spec.Services?.Coffee?.Enabled ?? true),
            ["ai"] = ServiceState(Spec.Services?.Ai?.Enabled ?? false),
            ["web3"] = ServiceState(Spec.Services?.Web3?.Enabled ?? false),
        },
    };

    public TenantResource ToResource() => new()
    {
        ApiVersion = $"{TenantResource.Group}/{TenantResource.Version}",
        Kind = TenantResource.ResourceKind,
        Metadata = new ResourceMetadata { Name = ResourceName, Generation = Generation, ResourceVersion = Version.ToString(System.Globalization.CultureInfo.InvariantCulture), CreationTimestamp = CreatedAt },
        Spec = Spec,
        Status = ToStatus(),
    };

    private string ServiceState(bool enabled) => !enabled ? "Disabled" : Phase == TenantPhase.Active ? "Enabled" : Phase;

    private void SetCondition(string type, string status, string reason, string message, DateTimeOffset at)
    {
        var existing = Conditions.FindIndex(c => c.Type == type);
        var transition = existing >= 0 && Conditions[existing].Status == status ? Conditions[existing].LastTransitionTime : at;
        var condition = new ResourceCondition(type, status, reason, message, transition, Generation);
        if (existing >= 0)
        {
            Conditions[existing] = condition;
        }
        else
        {
            Conditions.Add(condition);
        }
    }
}
