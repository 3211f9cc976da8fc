using Microsoft.AspNetCore.Http.HttpResults;

namespace GoCoffee.Observability.Stacks.Api;

/// <summary>Client errors as RFC 9457 problems that name the field and the rule (as the other services answer them).</summary>
internal static class ApiProblems
{
    public static ValidationProblem Invalid(IDictionary<string, string[]> errors, string title = "The request is invalid.") =>
        TypedResults.ValidationProblem(errors, title: title, detail: string.Join("; ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))));

    public static ValidationProblem Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult NotFound(string what, string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No such {what}.", detail: $"There is no {what} '{Clip(name)}'.");

    public static ProblemHttpResult Conflict(string field, string message, string title = "The request conflicts with the resource's current state.") =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: title,
            detail: $"{field}: {message}",
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });

    public static ProblemHttpResult Conflict(IDictionary<string, string[]> errors, string title) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: title,
            detail: string.Join("; ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))),
            extensions: new Dictionary<string, object?> { ["errors"] = errors });

    public static ProblemHttpResult Forbidden(IDictionary<string, string[]> errors, string title) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: title,
            detail: string.Join("; ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))),
            extensions: new Dictionary<string, object?> { ["errors"] = errors });

    private static string Clip(string value) => value.Length > 64 ? value[..64] + "…" : value;
}
