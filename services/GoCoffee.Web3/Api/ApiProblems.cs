using GoCoffee.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GoCoffee.Web3.Api;

/// <summary>The web3 API's client errors (shapes from <see cref="FieldProblems"/>).</summary>
internal static class ApiProblems
{
    public static ValidationProblem Invalid(IDictionary<string, string[]> errors, string title = "The request is invalid.") => FieldProblems.Invalid(errors, title);

    public static ValidationProblem Invalid(string field, string message) => FieldProblems.Invalid(field, message);

    public static ProblemHttpResult Problem(int status, string field, string message, string title) => FieldProblems.Problem(status, title, field, message);

    public static ProblemHttpResult NotFound(string field, string message) => Problem(StatusCodes.Status404NotFound, field, message, "Not found.");

    public static ProblemHttpResult Conflict(string field, string message) => Problem(StatusCodes.Status409Conflict, field, message, "The request conflicts with the current state.");

    public static ProblemHttpResult Forbidden(string field, string message) => Problem(StatusCodes.Status403Forbidden, field, message, "Not allowed for this tenant.");

    public static string Clip(string? value) => FieldProblems.Clip(value);
}
