using GoCoffee.Resources;
using System.Text.RegularExpressions;
using GoCoffee.Contracts.Tenants;
using GoCoffee.Tenant.Planning;
using GoCoffee.Tenant.Tiers;

namespace GoCoffee.Tenant.Validation;

/// <summary>
/// Every rule a tenant document must pass, each failure keyed by the field it concerns (<c>spec.resources.cpu</c>)
/// and saying the rule — the body of a 400 problem response. Pure: no I/O, unit-tested.
/// </summary>
public static partial class TenantValidator
{
    public const int MaxNamespaces = 100;
    public const int MaxLoadBalancers = 10;
    private const long MinCpuPerNamespaceMillis = 100;
    private const long MinMemoryPerNamespace = 128L * 1024 * 1024;

    public static Dictionary<string, string[]> Validate(TenantResource resource)
    {
        var errors = new Errors();
        if (resource.ApiVersion != $"{TenantResource.Group}/{TenantResource.Version}")
        {
            errors.Add("apiVersion", $"must be '{TenantResource.Group}/{TenantResource.Version}'");
        }

        if (resource.Kind != TenantResource.ResourceKind)
        {
            errors.Add("kind", $"must be '{TenantResource.ResourceKind}'");
        }

        if (resource.Metadata?.Name is { } name && !IsDnsSubdomain(name))
        {
            errors.Add("metadata.name", "must be a DNS subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters");
        }

        ValidateLabels(resource.Metadata?.Labels, "metadata.labels", errors);
        ValidateLabels(resource.Metadata?.Annotations, "metadata.annotations", errors);

        if (resource.Spec is null)
        {
            errors.Add("spec", "is required");
            return errors.ToDictionary();
        }

        ValidateSpec(resource.Spec, errors);
        return errors.ToDictionary();
    }

    public static Dictionary<string, string[]> ValidateSpec(TenantSpec spec)
    {
        var errors = new Errors();
        ValidateSpec(spec, errors);
        return errors.ToDictionary();
    }

    public static bool IsDnsLabel(string? value) => value is { Length: > 0 and <= 63 } && DnsLabel().IsMatch(value);

    private static void ValidateSpec(TenantSpec spec, Errors errors)
    {
        if (string.IsNullOrEmpty(spec.TenantId))
        {
            errors.Add("spec.tenantId", "is required");
        }
        else if (ReservedTenantIds.Why(spec.TenantId) is { } reserved)
        {
            errors.Add("spec.tenantId", $"'{Clip(spec.TenantId)}' is reserved: {reserved}");
        }
        else if (!IsDnsLabel(spec.TenantId))
        {
            errors.Add("spec.tenantId", "must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters");
        }

        Text(spec.DisplayName, "spec.displayName", 100, errors);
        Text(spec.Description, "spec.description", 1000, errors);

        var tier = TierCatalog.Find(spec.Tier);
        if (string.IsNullOrEmpty(spec.Tier))
        {
            errors.Add("spec.tier", $"is required: one of {string.Join(", ", TierCatalog.All.Select(t => t.Name))}");
        }
        else if (tier is null)
        {
            errors.Add("spec.tier", $"'{Clip(spec.Tier)}' is not a tier: one of {string.Join(", ", TierCatalog.All.Select(t => t.Name))}");
        }

        if (spec.Resources is null)
        {
            errors.Add("spec.resources", "is required");
        }
        else
        {
            ValidateResources(spec.Resources, tier, errors);
        }

        ValidateIsolation(spec.Isolation, errors);
        ValidateServices(spec.Services, tier, errors);
        ValidateOwners(spec.Owners, errors);

        if (spec.Billing is { } billing)
        {
            Text(billing.Plan, "spec.billing.plan", 64, errors);
            Text(billing.PaymentMethod, "spec.billing.paymentMethod", 64, errors);
            Text(billing.CostCenter, "spec.billing.costCenter", 64, errors);
            if (billing.BillingContact is { } contact && !Email().IsMatch(contact))
            {
                errors.Add("spec.billing.billingContact", "must be an e-mail address");
            }
        }

        if (spec.Compliance is { } compliance)
        {
            Text(compliance.DataResidency, "spec.compliance.dataResidency", 64, errors);
            if (compliance.BackupRetention is { } retention && !Retention().IsMatch(retention))
            {
                errors.Add("spec.compliance.backupRetention", "must be a duration in days, weeks, months or years, e.g. 30d, 12w, 6m, 1y");
            }
        }
    }

    /// <summary>Every isolation setting has an effect (see <see cref="IsolationLevels"/>); one that would have none is refused.</summary>
    private static void ValidateIsolation(TenantIsolation? isolation, Errors errors)
    {
        var level = isolation?.Level ?? IsolationLevels.Default;
        if (!IsolationLevels.All.Contains(level))
        {
            errors.Add("spec.isolation.level", $"'{Clip(level)}' is not an isolation level: one of {string.Join(", ", IsolationLevels.All)}");
            return;
        }

        if (isolation?.NetworkPolicy == false && level != IsolationLevels.Soft)
        {
            errors.Add("spec.isolation.networkPolicy", $"can be false only with isolation level soft: level {level} always isolates the tenant's network");
        }

        if (isolation?.Rbac == false)
        {
            errors.Add("spec.isolation.rbac", "cannot be false: owners' access is always limited to the tenant's own namespaces by RBAC (omit it or set true)");
        }

        var nodeAffinity = isolation?.NodeAffinity;
        if (level == IsolationLevels.Strict && nodeAffinity is not { Count: > 0 })
        {
            errors.Add("spec.isolation.nodeAffinity", "is required with isolation level strict: strict isolation runs the tenant on nodes of its own, named by their labels");
        }

        if (nodeAffinity is null)
        {
            return;
        }

        if (nodeAffinity.Count > 16)
        {
            errors.Add("spec.isolation.nodeAffinity", "has more than 16 node labels");
            return;
        }

        foreach (var (key, value) in nodeAffinity)
        {
            if (!LabelKey().IsMatch(key) || key.Length > 253)
            {
                errors.Add($"spec.isolation.nodeAffinity.{Clip(key)}", "is not a valid node label key: an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.'");
            }
            else if (value is null || value.Length > 63 || !LabelValue().IsMatch(value))
            {
                errors.Add($"spec.isolation.nodeAffinity.{key}", "must be a node label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
            }
        }
    }

    private static void ValidateResources(TenantResources resources, Tier? tier, Errors errors)
    {
        var namespaces = resources.Namespaces;
        if (namespaces is null)
        {
            errors.Add("spec.resources.namespaces", "is required");
        }
        else if (namespaces is < 1 or > MaxNamespaces)
        {
            errors.Add("spec.resources.namespaces", $"must be between 1 and {MaxNamespaces}");
        }
        else if (tier is not null && namespaces > tier.Maxima.Namespaces)
        {
            errors.Add("spec.resources.namespaces", $"{namespaces} exceeds the {tier.Name} tier's maximum of {tier.Maxima.Namespaces}");
        }

        var count = Math.Clamp(namespaces ?? 1, 1, MaxNamespaces);
        var cpu = QuantityWithin(resources.Cpu, "spec.resources.cpu", tier?.Maxima.Cpu, tier, errors);
        if (cpu is { } cores && cores * 1000 < count * MinCpuPerNamespaceMillis)
        {
            errors.Add("spec.resources.cpu", $"must give each of the {count} namespaces at least {MinCpuPerNamespaceMillis}m");
        }

        var memory = QuantityWithin(resources.Memory, "spec.resources.memory", tier?.Maxima.Memory, tier, errors);
        if (memory is { } bytes && bytes < count * MinMemoryPerNamespace)
        {
            errors.Add("spec.resources.memory", $"must give each of the {count} namespaces at least 128Mi");
        }

        QuantityWithin(resources.Storage, "spec.resources.storage", tier?.Maxima.Storage, tier, errors);

        if (resources.NetworkPolicies is < 0 or > 100)
        {
            errors.Add("spec.resources.networkPolicies", "must be between 0 and 100");
        }

        if (resources.LoadBalancers is { } lbs)
        {
            if (lbs is < 0 or > MaxLoadBalancers)
            {
                errors.Add("spec.resources.loadBalancers", $"must be between 0 and {MaxLoadBalancers}");
            }
            else if (tier is not null && lbs > tier.MaxLoadBalancers)
            {
                errors.Add("spec.resources.loadBalancers", $"{lbs} exceeds the {tier.Name} tier's maximum of {tier.MaxLoadBalancers}");
            }
        }
    }

    private static decimal? QuantityWithin(string? text, string field, string? maximum, Tier? tier, Errors errors)
    {
        if (text is null)
        {
            errors.Add(field, "is required: a Kubernetes quantity such as 4, 500m, 8Gi");
            return null;
        }

        if (!Quantity.TryParse(text, out var value))
        {
            errors.Add(field, $"'{Clip(text)}' is not a Kubernetes quantity (examples: 4, 500m, 8Gi, 1Ti)");
            return null;
        }

        if (value <= 0)
        {
            errors.Add(field, "must be greater than zero");
            return null;
        }

        if (maximum is not null && tier is not null && value > Quantity.Parse(maximum))
        {
            errors.Add(field, $"{text} exceeds the {tier.Name} tier's maximum of {maximum}");
            return null;
        }

        return value;
    }

    private static void ValidateServices(TenantServices? services, Tier? tier, Errors errors)
    {
        if (services?.Coffee is { } coffee)
        {
            Known(coffee.Features, "spec.services.coffee.features", TierCatalog.KnownCoffeeFeatures, tier?.CoffeeFeatures, tier, "feature", errors);
        }

        if (services?.Ai is { } ai)
        {
            if (ai.Enabled == true && tier is not null && !tier.Services.Contains(TierCatalog.Ai))
            {
                errors.Add("spec.services.ai.enabled", $"the {tier.Name} tier does not include the ai service");
            }

            if (ai.GpuQuota is { } gpus)
            {
                if (gpus < 0)
                {
                    errors.Add("spec.services.ai.gpuQuota", "must not be negative");
                }
                else if (tier is not null && gpus > tier.MaxGpuQuota)
                {
                    errors.Add("spec.services.ai.gpuQuota", $"{gpus} exceeds the {tier.Name} tier's maximum of {tier.MaxGpuQuota}");
                }
            }

            Known(ai.GpuTypes, "spec.services.ai.gpuTypes", TierCatalog.KnownGpuTypes, tier?.GpuTypes, tier, "GPU type", errors);
            for (var i = 0; i < (ai.Models?.Count ?? 0); i++)
            {
                if (!IsDnsLabel(ai.Models![i]))
                {
                    errors.Add($"spec.services.ai.models[{i}]", "must be a model name: lowercase letters, digits and '-', at most 63 characters");
                }
            }
        }

        if (services?.Web3 is { } web3)
        {
            if (web3.Enabled == true && tier is not null && !tier.Services.Contains(TierCatalog.Web3))
            {
                errors.Add("spec.services.web3.enabled", $"the {tier.Name} tier does not include the web3 service");
            }

            Known(web3.Networks, "spec.services.web3.networks", TierCatalog.KnownWeb3Networks, tier?.Web3Networks, tier, "network", errors);
        }
    }

    private static void Known(List<string>? values, string field, IReadOnlyList<string> known, IReadOnlyList<string>? allowed, Tier? tier, string what, Errors errors)
    {
        if (values is null)
        {
            return;
        }

        if (values.Count > 20)
        {
            errors.Add(field, "lists too many values");
            return;
        }

        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            if (!known.Contains(value))
            {
                errors.Add($"{field}[{i}]", $"'{Clip(value)}' is not a known {what}: one of {string.Join(", ", known)}");
            }
            else if (allowed is not null && tier is not null && !allowed.Contains(value))
            {
                errors.Add($"{field}[{i}]", $"the {tier.Name} tier does not include the {what} '{value}'");
            }
        }

        if (values.Distinct().Count() != values.Count)
        {
            errors.Add(field, "must not repeat a value");
        }
    }

    private static void ValidateOwners(List<string>? owners, Errors errors)
    {
        if (owners is null)
        {
            return;
        }

        if (owners.Count > 50)
        {
            errors.Add("spec.owners", "lists more than 50 owners");
            return;
        }

        for (var i = 0; i < owners.Count; i++)
        {
            if (owners[i] is not { Length: > 0 and <= 253 } owner || !Owner().IsMatch(owner))
            {
                errors.Add($"spec.owners[{i}]", "must be a user name or e-mail, or 'group:<name>' (letters, digits, '@', '.', '_', ':', '-')");
            }
            else if (NamesKubernetesSystemSubject(owner))
            {
                errors.Add($"spec.owners[{i}]", $"'{Clip(owner)}' names a Kubernetes system user or group: names starting with 'system:' belong to Kubernetes itself and cannot own a tenant");
            }
        }
    }

    /// <summary><c>system:masters</c>, <c>group:system:authenticated</c>, <c>user:system:admin</c>, <c>system:serviceaccount:…</c>: what the RoleBinding would name after the prefix.</summary>
    private static bool NamesKubernetesSystemSubject(string owner)
    {
        var subject = owner;
        foreach (var prefix in new[] { "group:", "user:" })
        {
            if (subject.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                subject = subject[prefix.Length..];
                break;
            }
        }

        return subject.StartsWith("system:", StringComparison.OrdinalIgnoreCase);
    }

    private static void ValidateLabels(Dictionary<string, string>? labels, string field, Errors errors)
    {
        if (labels is null)
        {
            return;
        }

        if (labels.Count > 64)
        {
            errors.Add(field, "has more than 64 entries");
            return;
        }

        foreach (var (key, value) in labels)
        {
            if (!LabelKey().IsMatch(key) || key.Length > 253)
            {
                errors.Add($"{field}.{Clip(key)}", "is not a valid key: an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.'");
            }
            else if (value is null || value.Length > 1024 || value.Any(char.IsControl))
            {
                errors.Add($"{field}.{key}", "must be text of at most 1024 characters without control characters");
            }
        }
    }

    private static void Text(string? value, string field, int max, Errors errors)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length > max)
        {
            errors.Add(field, $"must be at most {max} characters");
        }
        else if (value.Any(c => char.IsControl(c) && c is not ('\n' or '\t')))
        {
            errors.Add(field, "must not contain control characters");
        }
    }

    private static bool IsDnsSubdomain(string value) => value.Length is > 0 and <= 253 && DnsSubdomain().IsMatch(value);

    /// <summary>Echo client input safely: short, no control characters.</summary>
    private static string Clip(string value)
    {
        var clean = new string(value.Where(c => !char.IsControl(c)).Take(64).ToArray());
        return value.Length > 64 ? clean + "…" : clean;
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex LabelKey();

    [GeneratedRegex("^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")]
    private static partial Regex LabelValue();

    [GeneratedRegex("^[^@\\s]{1,64}@[^@\\s]{1,188}\\.[^@\\s]{2,}$")]
    private static partial Regex Email();

    [GeneratedRegex("^[A-Za-z0-9@._:-]+$")]
    private static partial Regex Owner();

    [GeneratedRegex("^[1-9][0-9]{0,3}[dwmy]$")]
    private static partial Regex Retention();

    private sealed class Errors
    {
        private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

        public void Add(string field, string message)
        {
            if (!_errors.TryGetValue(field, out var messages))
            {
                _errors[field] = messages = [];
            }

            messages.Add(message);
        }

        public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }
}
