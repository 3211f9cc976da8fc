using GoCoffee.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GoCoffee.Orders.Api;

/// <summary>The orders API's client errors, worded for orders (shapes from <see cref="FieldProblems"/>).</summary>
internal static class ApiProblems
{
    public static ValidationProblem Invalid(IDictionary<string, string[]> errors, string title = "The request is invalid.") => FieldProblems.Invalid(errors, title);

    public static ValidationProblem Invalid(string field, string message) => FieldProblems.Invalid(field, message);

    public static ProblemHttpResult Problem(int status, string title, string field, string message, IDictionary<string, object?>? extensions = null) =>
        FieldProblems.Problem(status, title, field, message, extensions);

    public static ProblemHttpResult NotFound(string what, string id) => FieldProblems.NotFound(what, id, " for this tenant");

    /// <summary>A step the order's current state does not allow: 409 with that state.</summary>
    public static ProblemHttpResult IllegalTransition(string status, string action, IEnumerable<string> allowedFrom) =>
        Problem(
            StatusCodes.Status409Conflict,
            "The order's current state does not allow this.",
            "status",
            $"the order is {status}; {action} needs an order that is {string.Join(" or ", allowedFrom)}",
            new Dictionary<string, object?> { ["currentStatus"] = status });

    /// <summary>403 naming the tenant feature the request needs.</summary>
    public static ProblemHttpResult FeatureRequired(string tenantId, string feature, string field) =>
        Problem(
            StatusCodes.Status403Forbidden,
            $"The '{feature}' feature is not enabled for this tenant.",
            field,
            $"needs the tenant's '{feature}' feature, which tenant '{tenantId}' does not have",
            new Dictionary<string, object?> { ["feature"] = feature, ["tenantId"] = tenantId });

    public static string Clip(string value) => FieldProblems.Clip(value);
}
