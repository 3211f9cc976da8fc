namespace GoCoffee.Contracts.Tenants;

/// <summary>
/// <c>spec.isolation.level</c>: how far a tenant is kept from the others. Each level has an effect on the cluster
/// (the cluster-agent maps it to a Pod Security Admission level) and on what the spec may say.
/// </summary>
public static class IsolationLevels
{
    /// <summary>Pod Security <c>baseline</c>; the only level whose network isolation may be switched off.</summary>
    public const string Soft = "soft";

    /// <summary>Pod Security <c>restricted</c>; network policies always on. The level of a tenant that names none.</summary>
    public const string Hard = "hard";

    /// <summary>Everything <see cref="Hard"/> does, on nodes of the tenant's own (<c>spec.isolation.nodeAffinity</c> is required).</summary>
    public const string Strict = "strict";

    public const string Default = Hard;

    public static readonly IReadOnlyList<string> All = [Soft, Hard, Strict];
}
