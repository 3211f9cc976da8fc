using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace GoCoffee.FakeKubernetes;

/// <summary>The API server's checks that answer 422 Invalid: name format and required fields.</summary>
internal static partial class Validation
{
    private const string LabelRegex = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private const string SubdomainRegex = LabelRegex + "(\\." + LabelRegex + ")*";
    private const string Dns1035Regex = "[a-z]([-a-z0-9]*[a-z0-9])?";

    public static void Validate(ResourceDefinition resource, JsonObject obj)
    {
        var name = obj.Name();
        var causes = new List<FakeFailureCause>();
        var nameError = NameError(resource.NameRule, name);
        if (nameError is not null) causes.Add(new FakeFailureCause("FieldValueInvalid", $"Invalid value: \"{name}\": {nameError}", "metadata.name"));

        foreach (var field in resource.RequiredFields)
        {
            if (JsonPath.Get(obj, field) is null) causes.Add(new FakeFailureCause("FieldValueRequired", "Required value", field));
        }

        if (causes.Count > 0) throw new ApiException(FakeFailure.Invalid(resource.Kind, resource.Group, name, [.. causes]));
    }

    /// <summary>For objects with neither name nor generateName.</summary>
    public static ApiException NameRequired(ResourceDefinition resource) =>
        new(FakeFailure.Invalid(resource.Kind, resource.Group, "",
            new FakeFailureCause("FieldValueRequired", "Required value: name or generateName is required", "metadata.name")));

    public static string? NameError(NameRule rule, string name) => rule switch
    {
        NameRule.DnsLabel when name.Length > 63 || !DnsLabel().IsMatch(name) =>
            $"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '{LabelRegex}')",
        NameRule.Dns1035Label when name.Length > 63 || !Dns1035Label().IsMatch(name) =>
            $"a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '{Dns1035Regex}')",
        NameRule.DnsSubdomain when name.Length > 253 || !DnsSubdomain().IsMatch(name) =>
            $"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '{SubdomainRegex}')",
        NameRule.PathSegment when name is "." or ".." => $"may not be '{name}'",
        NameRule.PathSegment when name.Contains('/') || name.Contains('%') => $"may not contain '{(name.Contains('/') ? "/" : "%")}'",
        _ => null,
    };

    [GeneratedRegex("^" + LabelRegex + "$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^" + SubdomainRegex + "$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^" + Dns1035Regex + "$")]
    private static partial Regex Dns1035Label();
}
