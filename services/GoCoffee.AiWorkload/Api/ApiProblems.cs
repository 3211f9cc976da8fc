using GoCoffee.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GoCoffee.AiWorkload.Api;

/// <summary>The AI API's client errors (shapes from <see cref="FieldProblems"/>).</summary>
internal static class ApiProblems
{
    public static ValidationProblem Invalid(IDictionary<string, string[]> errors, string title = "The request is invalid.") => FieldProblems.Invalid(errors, title);

    public static ValidationProblem Invalid(string field, string message) => FieldProblems.Invalid(field, message);

    public static ProblemHttpResult NotFound(string what, string name) => FieldProblems.NotFound(what, name);

    public static ProblemHttpResult Conflict(string field, string message, string title = "The request conflicts with the resource's current state.") =>
        FieldProblems.Problem(StatusCodes.Status409Conflict, title, field, message);

    public static ProblemHttpResult Conflict(IDictionary<string, string[]> errors, string title) => FieldProblems.Problem(StatusCodes.Status409Conflict, title, errors);

    public static ProblemHttpResult Forbidden(IDictionary<string, string[]> errors, string title) => FieldProblems.Problem(StatusCodes.Status403Forbidden, title, errors);
}
