using GoCoffee.Resources;
using GoCoffee.Contracts.Tenants;
using GoCoffee.Tenant.Planning;
using GoCoffee.Tenant.Tiers;

namespace GoCoffee.Tenant.Quotas;

/// <summary>Amounts of a tenant's resources: cpu in millicores, memory and storage in bytes, namespaces, GPUs.</summary>
public sealed record ResourceAmounts(long CpuMillis, long MemoryBytes, long StorageBytes, int Namespaces, int Gpus)
{
    public static readonly ResourceAmounts Zero = new(0, 0, 0, 0, 0);

    public ResourceAmounts Plus(ResourceAmounts other) =>
        new(CpuMillis + other.CpuMillis, MemoryBytes + other.MemoryBytes, StorageBytes + other.StorageBytes, Namespaces + other.Namespaces, Gpus + other.Gpus);

    public ResourceAmounts Minus(ResourceAmounts other) =>
        new(CpuMillis - other.CpuMillis, MemoryBytes - other.MemoryBytes, StorageBytes - other.StorageBytes, Namespaces - other.Namespaces, Gpus - other.Gpus);
}

public enum ReservationState
{
    Reserved,
    Committed,
}

public sealed class Reservation
{
    public string Id { get; set; } = string.Empty;

    public string Holder { get; set; } = string.Empty;

    public ResourceAmounts Amounts { get; set; } = ResourceAmounts.Zero;

    public string? GpuType { get; set; }

    public ReservationState State { get; set; }

    public DateTimeOffset At { get; set; }
}

/// <summary>
/// The tenant's resources as a ledger: whatever consumes them reserves first (refused when more than is left),
/// commits once the thing exists, and releases when it is gone. Stored with optimistic concurrency, so two
/// concurrent reservations can never both take the last share.
/// </summary>
public sealed class TenantLedger
{
    public string Id { get; set; } = string.Empty;

    public ResourceAmounts Totals { get; set; } = ResourceAmounts.Zero;

    public List<string> GpuTypes { get; set; } = [];

    public List<Reservation> Reservations { get; set; } = [];

    public ResourceAmounts InUse => Reservations.Aggregate(ResourceAmounts.Zero, (sum, r) => sum.Plus(r.Amounts));

    public ResourceAmounts Available => Totals.Minus(InUse);

    public static ResourceAmounts TotalsOf(TenantSpec spec) => new(
        (long)(Quantity.Parse(spec.Resources!.Cpu!) * 1000),
        (long)Quantity.Parse(spec.Resources.Memory!),
        (long)Quantity.Parse(spec.Resources.Storage!),
        spec.Resources.Namespaces ?? 1,
        spec.Services?.Ai is { Enabled: true, GpuQuota: { } gpus } ? gpus : 0);

    public static List<string> GpuTypesOf(TenantSpec spec) =>
        spec.Services?.Ai is { Enabled: true } ai
            ? [.. ai.GpuTypes ?? [.. TierCatalog.Find(spec.Tier)?.GpuTypes ?? []]]
            : [];

    public static TenantLedger For(TenantSpec spec) => new() { Id = spec.TenantId!, Totals = TotalsOf(spec), GpuTypes = GpuTypesOf(spec) };

    /// <summary>Errors (field → rule) when the new totals would fall below what is already reserved or committed.</summary>
    public Dictionary<string, string[]> CheckNewTotals(ResourceAmounts totals)
    {
        var inUse = InUse;
        var errors = new Dictionary<string, string[]>();
        void Check(string field, long newTotal, long used, Func<long, string> format)
        {
            if (newTotal < used)
            {
                errors[field] = [$"cannot go below {format(used)}: that much is reserved or committed"];
            }
        }

        Check("spec.resources.cpu", totals.CpuMillis, inUse.CpuMillis, Quantity.Cpu);
        Check("spec.resources.memory", totals.MemoryBytes, inUse.MemoryBytes, Quantity.Bytes);
        Check("spec.resources.storage", totals.StorageBytes, inUse.StorageBytes, Quantity.Bytes);
        Check("spec.resources.namespaces", totals.Namespaces, inUse.Namespaces, n => n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Check("spec.services.ai.gpuQuota", totals.Gpus, inUse.Gpus, n => n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return errors;
    }

    /// <returns>Errors (field → rule) if refused; empty when reserved (or when this id was already reserved with these amounts).</returns>
    public Dictionary<string, string[]> Reserve(string id, string holder, ResourceAmounts amounts, string? gpuType, DateTimeOffset now)
    {
        var existing = Reservations.Find(r => r.Id == id);
        if (existing is not null)
        {
            return existing.Amounts == amounts && existing.GpuType == gpuType
                ? []
                : new() { ["id"] = [$"reservation '{id}' already exists with other amounts"] };
        }

        if (amounts.Gpus > 0 && (gpuType is null || !GpuTypes.Contains(gpuType)))
        {
            return new() { ["gpu.type"] = [$"must be one of the tenant's GPU types: {(GpuTypes.Count == 0 ? "none" : string.Join(", ", GpuTypes))}"] };
        }

        var refused = Shortfalls(Available, amounts);
        if (refused.Count > 0)
        {
            return refused;
        }

        Reservations.Add(new Reservation { Id = id, Holder = holder, Amounts = amounts, GpuType = gpuType, State = ReservationState.Reserved, At = now });
        return [];
    }

    public bool Commit(string id)
    {
        var reservation = Reservations.Find(r => r.Id == id);
        if (reservation is null)
        {
            return false;
        }

        reservation.State = ReservationState.Committed;
        return true;
    }

    public bool Release(string id) => Reservations.RemoveAll(r => r.Id == id) > 0;

    private static Dictionary<string, string[]> Shortfalls(ResourceAmounts have, ResourceAmounts need)
    {
        const string what = "available";
        static string field(string name) => name;
        var errors = new Dictionary<string, string[]>();
        if (need.CpuMillis > have.CpuMillis)
        {
            errors[field("cpu")] = [$"{Quantity.Cpu(need.CpuMillis)} requested but only {Quantity.Cpu(Math.Max(0, have.CpuMillis))} {what}"];
        }

        if (need.MemoryBytes > have.MemoryBytes)
        {
            errors[field("memory")] = [$"{Quantity.Bytes(need.MemoryBytes)} requested but only {Quantity.Bytes(Math.Max(0, have.MemoryBytes))} {what}"];
        }

        if (need.StorageBytes > have.StorageBytes)
        {
            errors[field("storage")] = [$"{Quantity.Bytes(need.StorageBytes)} requested but only {Quantity.Bytes(Math.Max(0, have.StorageBytes))} {what}"];
        }

        if (need.Namespaces > have.Namespaces)
        {
            errors[field("namespaces")] = [$"{need.Namespaces} requested but only {Math.Max(0, have.Namespaces)} {what}"];
        }

        if (need.Gpus > have.Gpus)
        {
            errors[field("gpu")] = [$"{need.Gpus} GPUs requested but only {Math.Max(0, have.Gpus)} {what}"];
        }

        return errors;
    }
}
