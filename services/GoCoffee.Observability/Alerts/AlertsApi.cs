using System.Security.Cryptography;
using System.Text;
using GoCoffee.ServiceDefaults.Security;
using Marten;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace GoCoffee.Observability.Alerts;

public sealed class AlertOptions
{
    public const string Section = "Alerts";

    /// <summary>
    /// The bearer token Alertmanager's webhook presents (<c>http_config.authorization.credentials_file</c>). Unset: the
    /// intake refuses every request. Required, at least 32 characters, outside Development and Testing.
    /// </summary>
    public string? IntakeToken { get; set; }
}

public static class AlertsApi
{
    public const string IntakePath = "/alerts/intake";

    public static IHostApplicationBuilder AddAlerts(this IHostApplicationBuilder builder)
    {
        var lenient = builder.Environment.IsDevelopment() || builder.Environment.IsEnvironment("Testing");
        builder.Services.AddOptions<AlertOptions>().Bind(builder.Configuration.GetSection(AlertOptions.Section))
            .Validate(
                o => lenient ? o.IntakeToken is null or { Length: >= 32 } : o.IntakeToken is { Length: >= 32 },
                "Alerts:IntakeToken must be set (at least 32 characters) outside Development and Testing: the bearer token Alertmanager's webhook presents to the alert intake.")
            .ValidateOnStart();
        builder.Services.AddSingleton<AlertIntake>();
        builder.Services.ConfigureMarten(store => store.Schema.For<AlertRecord>()
            .Index(a => a.Status)
            .Index(a => a.TenantId)
            .UseOptimisticConcurrency(true));
        return builder;
    }

    public static RouteGroupBuilder MapAlertsApi(this RouteGroupBuilder api)
    {
        // Alertmanager's webhook: authenticated by its own bearer token, not by the gateway (which never routes it).
        api.MapPost(IntakePath, Intake).AllowAnonymous().ExcludeFromDescription();
        api.MapGet("/alerts", List)
            .WithName("listAlerts")
            .WithSummary("Alerts Alertmanager reported: firing (default), resolved or all; a tenant's caller sees its own tenant's only")
            .ProducesValidationProblem();
        return api;
    }

    private static async Task<IResult> Intake(HttpContext http, IOptions<AlertOptions> options, AlertIntake intake, CancellationToken cancellationToken)
    {
        if (!Authorized(http.Request, options.Value.IntakeToken))
        {
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"alert-intake\"";
            return TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "The alert intake token is missing or wrong.",
                detail: "Authorization: send 'Bearer <token>' with the token configured as Alerts:IntakeToken (Alertmanager: http_config.authorization.credentials_file).");
        }

        if (http.Request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "The payload must be JSON.", detail: "Content-Type: must be application/json (Alertmanager's webhook payload).");
        }

        if (http.Request.ContentLength > AlertmanagerWebhook.MaxBodyBytes)
        {
            return TooLarge();
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = AlertmanagerWebhook.MaxBodyBytes;
        }

        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer, cancellationToken);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge();
        }

        var (alerts, error) = AlertmanagerWebhook.Read(body);
        if (error is not null)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [error.Field] = [error.Message] },
                title: "The Alertmanager payload is invalid.",
                detail: $"{error.Field}: {error.Message}");
        }

        return TypedResults.Ok(await intake.Record(alerts, cancellationToken));
    }

    private static async Task<Results<Ok<AlertList>, ValidationProblem>> List(HttpContext http, IQuerySession session, string? status, string? tenant, int? limit, CancellationToken cancellationToken)
    {
        status ??= AlertStatus.Firing;
        if (status is not (AlertStatus.Firing or AlertStatus.Resolved or "all"))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = ["must be firing, resolved or all"] }, detail: "status: must be firing, resolved or all");
        }

        var take = limit ?? 200;
        if (take is < 1 or > 500)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["must be between 1 and 500"] }, detail: "limit: must be between 1 and 500");
        }

        IQueryable<AlertRecord> query = session.Query<AlertRecord>();
        if (!http.User.IsPlatformAdmin())
        {
            // A tenant's caller sees its own tenant's alerts, never another's nor the platform's.
            var own = http.User.CallerTenantId() ?? string.Empty;
            query = query.Where(a => a.TenantId == own);
        }
        else if (!string.IsNullOrEmpty(tenant))
        {
            query = query.Where(a => a.TenantId == tenant);
        }

        if (status != "all")
        {
            query = query.Where(a => a.Status == status);
        }

        var alerts = await query.OrderByDescending(a => a.StartsAt).Take(take).ToListAsync(cancellationToken);
        return TypedResults.Ok(new AlertList(alerts.Select(AlertView.Of).ToList()));
    }

    /// <summary>Constant time whatever the presented token's length: both sides are hashed first.</summary>
    private static bool Authorized(HttpRequest request, string? configured)
    {
        var header = request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(configured) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(configured));
        return CryptographicOperations.FixedTimeEquals(presented, expected);
    }

    private static ProblemHttpResult TooLarge() =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The payload is too large.", detail: $"The body may be at most {AlertmanagerWebhook.MaxBodyBytes} bytes.");
}
