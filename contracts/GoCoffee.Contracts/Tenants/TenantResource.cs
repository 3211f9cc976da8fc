namespace GoCoffee.Contracts.Tenants;

/// <summary>
/// <c>tenant.gocoffee.dev/v1 Tenant</c>: one model for the API (JSON or YAML), the CRD, validation and the
/// custom-resource bridge. Every field the seed's operator declared is here; <see cref="Status"/> is written only by
/// the platform.
/// </summary>
public sealed class TenantResource
{
    public const string Group = "tenant.gocoffee.dev";
    public const string Version = "v1";
    public const string ResourceKind = "Tenant";
    public const string Plural = "tenants";

    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public ResourceMetadata? Metadata { get; set; }

    public TenantSpec? Spec { get; set; }

    public TenantStatus? Status { get; set; }
}

public sealed class TenantSpec
{
    public string? TenantId { get; set; }

    public string? DisplayName { get; set; }

    public string? Description { get; set; }

    public string? Tier { get; set; }

    public TenantResources? Resources { get; set; }

    public TenantIsolation? Isolation { get; set; }

    public TenantServices? Services { get; set; }

    public TenantBilling? Billing { get; set; }

    public TenantCompliance? Compliance { get; set; }

    public List<string>? Owners { get; set; }

    public bool? PreventDeletion { get; set; }
}

public sealed class TenantResources
{
    public int? Namespaces { get; set; }

    public string? Cpu { get; set; }

    public string? Memory { get; set; }

    public string? Storage { get; set; }

    public int? NetworkPolicies { get; set; }

    public int? LoadBalancers { get; set; }
}

public sealed class TenantIsolation
{
    public string? Level { get; set; }

    public bool? NetworkPolicy { get; set; }

    public bool? Rbac { get; set; }

    public Dictionary<string, string>? NodeAffinity { get; set; }
}

public sealed class TenantServices
{
    public CoffeeServiceSpec? Coffee { get; set; }

    public AiServiceSpec? Ai { get; set; }

    public Web3ServiceSpec? Web3 { get; set; }
}

public sealed class CoffeeServiceSpec
{
    public bool? Enabled { get; set; }

    public List<string>? Features { get; set; }
}

public sealed class AiServiceSpec
{
    public bool? Enabled { get; set; }

    public List<string>? Models { get; set; }

    public int? GpuQuota { get; set; }

    /// <summary>GPU types the tenant may use; defaults to every type its tier allows.</summary>
    public List<string>? GpuTypes { get; set; }
}

public sealed class Web3ServiceSpec
{
    public bool? Enabled { get; set; }

    public List<string>? Networks { get; set; }
}

public sealed class TenantBilling
{
    public string? Plan { get; set; }

    public string? BillingContact { get; set; }

    public string? PaymentMethod { get; set; }

    public string? CostCenter { get; set; }
}

public sealed class TenantCompliance
{
    public string? DataResidency { get; set; }

    public bool? Encryption { get; set; }

    public bool? AuditLogging { get; set; }

    public string? BackupRetention { get; set; }
}

public sealed class TenantStatus
{
    public string Phase { get; set; } = "Pending";

    public List<string> Namespaces { get; set; } = [];

    public TenantResourceUsage ResourceUsage { get; set; } = new();

    public Dictionary<string, string> ServiceStatus { get; set; } = [];

    public TenantBillingStatus Billing { get; set; } = new();

    public List<ResourceCondition> Conditions { get; set; } = [];

    public long? ObservedGeneration { get; set; }
}

public sealed class TenantResourceUsage
{
    public string Cpu { get; set; } = "0";

    public string Memory { get; set; } = "0";

    public string Storage { get; set; } = "0";

    public int Gpu { get; set; }
}

public sealed class TenantBillingStatus
{
    public decimal CurrentCost { get; set; }

    public decimal ProjectedCost { get; set; }

    public DateTimeOffset? LastBilled { get; set; }
}
