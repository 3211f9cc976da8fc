using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

/// <summary>
/// A failure answered as a real Kubernetes <c>Status</c> object (<c>kind: Status</c>, <c>status: Failure</c>).
/// Used for the server's own errors and for failures that tests inject.
/// </summary>
public sealed record FakeFailure(int Code, string Reason, string Message)
{
    public string? Name { get; init; }
    public string? Group { get; init; }

    /// <summary>The resource (plural) for NotFound/AlreadyExists/Conflict, or the Kind for Invalid, as the real server does.</summary>
    public string? Kind { get; init; }

    public string? Uid { get; init; }
    public IReadOnlyList<FakeFailureCause> Causes { get; init; } = [];

    /// <summary>Sent as <c>details.retryAfterSeconds</c> and as the <c>Retry-After</c> header.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>A failure with the reason Kubernetes uses for that HTTP code.</summary>
    public static FakeFailure Status(int code, string? message = null) =>
        new(code, ReasonFor(code), message ?? DefaultMessage(code));

    public static FakeFailure BadRequest(string message) => new(400, "BadRequest", message);

    public static FakeFailure NotFound(string resource, string group, string name) =>
        new(404, "NotFound", $"{Qualified(resource, group)} \"{name}\" not found") { Name = name, Group = NullIfEmpty(group), Kind = resource };

    public static FakeFailure AlreadyExists(string resource, string group, string name) =>
        new(409, "AlreadyExists", $"{Qualified(resource, group)} \"{name}\" already exists") { Name = name, Group = NullIfEmpty(group), Kind = resource };

    public static FakeFailure Conflict(string resource, string group, string name, string? why = null) =>
        new(409, "Conflict",
            $"Operation cannot be fulfilled on {Qualified(resource, group)} \"{name}\": " +
            (why ?? "the object has been modified; please apply your changes to the latest version and try again"))
        { Name = name, Group = NullIfEmpty(group), Kind = resource };

    /// <summary>422 Invalid naming the offending fields, formatted like the API server's field errors.</summary>
    public static FakeFailure Invalid(string kind, string group, string name, params FakeFailureCause[] causes) =>
        new(422, "Invalid",
            $"{Qualified(kind, group)} \"{name}\" is invalid: " +
            (causes.Length == 1 ? Describe(causes[0]) : "[" + string.Join(", ", causes.Select(Describe)) + "]"))
        { Name = NullIfEmpty(name), Group = NullIfEmpty(group), Kind = kind, Causes = causes };

    /// <summary>422 Invalid with one field error, e.g. <c>Invalid("ResourceQuota", "", "q", "spec.hard.cpu", "must be positive")</c>.</summary>
    public static FakeFailure Invalid(string kind, string group, string name, string field, string message) =>
        Invalid(kind, group, name, new FakeFailureCause("FieldValueInvalid", message, field));

    public static FakeFailure Forbidden(string message) => new(403, "Forbidden", message);

    public static FakeFailure InternalError(string message = "an error on the server has prevented the request from succeeding") =>
        new(500, "InternalError", $"Internal error occurred: {message}");

    public static FakeFailure TooManyRequests(int retryAfterSeconds = 1, string message = "too many requests, please try again later") =>
        new(429, "TooManyRequests", message) { RetryAfterSeconds = retryAfterSeconds };

    public static FakeFailure ServiceUnavailable(string message = "the server is currently unable to handle the request", int? retryAfterSeconds = null) =>
        new(503, "ServiceUnavailable", message) { RetryAfterSeconds = retryAfterSeconds };

    public static FakeFailure Timeout(string message = "the server was unable to return a response in the time allotted, but may still be processing the request") =>
        new(504, "Timeout", message);

    public static FakeFailure Expired(string message) => new(410, "Expired", message);

    /// <summary>The <c>Status</c> object as the API server serialises it.</summary>
    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
        };
        var details = new JsonObject();
        if (Name is not null) details["name"] = Name;
        if (Group is not null) details["group"] = Group;
        if (Kind is not null) details["kind"] = Kind;
        if (Uid is not null) details["uid"] = Uid;
        if (Causes.Count > 0)
        {
            details["causes"] = new JsonArray([.. Causes.Select(c => (JsonNode)new JsonObject
            {
                ["reason"] = c.Reason,
                ["message"] = c.Message,
                ["field"] = c.Field,
            })]);
        }
        if (RetryAfterSeconds is { } retry) details["retryAfterSeconds"] = retry;
        if (details.Count > 0) status["details"] = details;
        status["code"] = Code;
        return status;
    }

    internal static string Qualified(string resource, string group) => group.Length == 0 ? resource : $"{resource}.{group}";

    private static string Describe(FakeFailureCause cause) =>
        cause.Field.Length == 0 ? cause.Message : $"{cause.Field}: {cause.Message}";

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;

    private static string ReasonFor(int code) => code switch
    {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        409 => "Conflict",
        410 => "Expired",
        413 => "RequestEntityTooLarge",
        415 => "UnsupportedMediaType",
        422 => "Invalid",
        429 => "TooManyRequests",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "Unknown",
    };

    private static string DefaultMessage(int code) => code switch
    {
        429 => "too many requests, please try again later",
        500 => "Internal error occurred: injected failure",
        503 => "the server is currently unable to handle the request",
        504 => "the server was unable to return a response in the time allotted, but may still be processing the request",
        _ => $"injected failure ({code})",
    };
}

/// <summary>One entry of <c>details.causes</c>: e.g. <c>FieldValueInvalid</c>, <c>FieldValueRequired</c>, <c>FieldManagerConflict</c>.</summary>
public sealed record FakeFailureCause(string Reason, string Message, string Field);

/// <summary>Thrown inside the server to answer with a <c>Status</c>.</summary>
internal sealed class ApiException(FakeFailure failure) : Exception(failure.Message)
{
    public FakeFailure Failure { get; } = failure;
}
