using GoCoffee.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GoCoffee.Tenant.Api;

/// <summary>The tenant API's client errors, worded for tenants (shapes from <see cref="FieldProblems"/>).</summary>
internal static class ApiProblems
{
    public static ValidationProblem Invalid(IDictionary<string, string[]> errors, string title = "The request is invalid.") => FieldProblems.Invalid(errors, title);

    public static ValidationProblem Invalid(string field, string message) => FieldProblems.Invalid(field, message);

    public static ProblemHttpResult NotFound(string tenantId) => FieldProblems.NotFound("tenant", tenantId);

    public static ProblemHttpResult Conflict(string field, string message, string title = "The request conflicts with the tenant's current state.") =>
        FieldProblems.Problem(StatusCodes.Status409Conflict, title, field, message);

    public static ProblemHttpResult Conflict(IDictionary<string, string[]> errors, string title) => FieldProblems.Problem(StatusCodes.Status409Conflict, title, errors);

    public static ProblemHttpResult Forbidden(IDictionary<string, string[]> errors, string title) => FieldProblems.Problem(StatusCodes.Status403Forbidden, title, errors);

    public static ProblemHttpResult PreconditionFailed(int current) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status412PreconditionFailed,
            title: "The tenant changed since you read it.",
            detail: $"If-Match: the tenant is at version \"{current}\"; read it again and retry.");
}
