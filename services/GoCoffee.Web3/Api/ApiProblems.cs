using Microsoft.AspNetCore.Http.HttpResults;

namespace GoCoffee.Web3.Api;

/// <summary>Client errors as RFC 9457 problems that name the field and the rule.</summary>
internal static class ApiProblems
{
    public static ValidationProblem Invalid(IDictionary<string, string[]> errors, string title = "The request is invalid.") =>
        TypedResults.ValidationProblem(errors, title: title, detail: string.Join("; ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))));

    public static ValidationProblem Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult Problem(int status, string field, string message, string title) =>
        TypedResults.Problem(
            statusCode: status,
            title: title,
            detail: $"{field}: {message}",
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });

    public static ProblemHttpResult NotFound(string field, string message) => Problem(StatusCodes.Status404NotFound, field, message, "Not found.");

    public static ProblemHttpResult Conflict(string field, string message) => Problem(StatusCodes.Status409Conflict, field, message, "The request conflicts with the current state.");

    public static ProblemHttpResult Forbidden(string field, string message) => Problem(StatusCodes.Status403Forbidden, field, message, "Not allowed for this tenant.");

    public static string Clip(string? value) => value is null ? string.Empty : value.Length > 64 ? value[..64] + "…" : value;
}
