using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GoCoffee.ServiceDefaults;

/// <summary>
/// Client errors as RFC 9457 problems that name the field and the rule: <c>errors</c> maps each field to its broken
/// rules and <c>detail</c> repeats them as "field: rule". Each service's <c>ApiProblems</c> adds its own wording on top.
/// </summary>
public static class FieldProblems
{
    public static ValidationProblem Invalid(IDictionary<string, string[]> errors, string title = "The request is invalid.") =>
        TypedResults.ValidationProblem(errors, title: title, detail: Detail(errors));

    public static ValidationProblem Invalid(string field, string message) => Invalid(One(field, message));

    public static ProblemHttpResult Problem(int status, string title, IDictionary<string, string[]> errors, IDictionary<string, object?>? extensions = null)
    {
        var all = new Dictionary<string, object?>(extensions ?? new Dictionary<string, object?>()) { ["errors"] = errors };
        return TypedResults.Problem(statusCode: status, title: title, detail: Detail(errors), extensions: all);
    }

    public static ProblemHttpResult Problem(int status, string title, string field, string message, IDictionary<string, object?>? extensions = null) =>
        Problem(status, title, One(field, message), extensions);

    /// <summary>404 for a named thing: "There is no {what} '{name}'{scope}."</summary>
    public static ProblemHttpResult NotFound(string what, string name, string scope = "") =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No such {what}.", detail: $"There is no {what} '{Clip(name)}'{scope}.");

    /// <summary>
    /// The list endpoints' paging: <c>page</c> from 1 (default 1), <c>pageSize</c> 1–100 (default 20); the problem
    /// naming the broken one, or null.
    /// </summary>
    public static ValidationProblem? Paging(int? page, int? pageSize, out int number, out int size)
    {
        number = page ?? 1;
        size = pageSize ?? 20;
        return number < 1 ? Invalid("page", "must be 1 or more")
            : size is < 1 or > 100 ? Invalid("pageSize", "must be between 1 and 100")
            : null;
    }

    /// <summary>A client-sent value quoted back in a message, cut to 64 characters.</summary>
    public static string Clip(string? value) => value is null ? string.Empty : value.Length > 64 ? value[..64] + "…" : value;

    private static Dictionary<string, string[]> One(string field, string message) => new() { [field] = [message] };

    private static string Detail(IDictionary<string, string[]> errors) =>
        string.Join("; ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}")));
}
