using Microsoft.AspNetCore.Http.HttpResults;

namespace GoCoffee.Orders.Api;

/// <summary>Client errors as RFC 9457 problems that name the field and the rule.</summary>
internal static class ApiProblems
{
    public static ValidationProblem Invalid(IDictionary<string, string[]> errors, string title = "The request is invalid.") =>
        TypedResults.ValidationProblem(errors, title: title, detail: string.Join("; ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))));

    public static ValidationProblem Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult Problem(int status, string title, string field, string message, IDictionary<string, object?>? extensions = null)
    {
        var all = new Dictionary<string, object?>(extensions ?? new Dictionary<string, object?>())
        {
            ["errors"] = new Dictionary<string, string[]> { [field] = [message] },
        };
        return TypedResults.Problem(statusCode: status, title: title, detail: $"{field}: {message}", extensions: all);
    }

    public static ProblemHttpResult NotFound(string what, string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No such {what}.", detail: $"There is no {what} '{Clip(id)}' for this tenant.");

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

    public static string Clip(string value) => value.Length > 64 ? value[..64] + "…" : value;
}
