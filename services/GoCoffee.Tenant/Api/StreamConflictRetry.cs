using Marten;

namespace GoCoffee.Tenant.Api;

/// <summary>
/// A request that appends to a tenant's stream can race the lifecycle saga appending to the same stream; Marten then
/// refuses the later commit. The request is decided again against the fresh state (at most three times) rather than
/// answered with a 500. Bodies are buffered so handlers that read them can read them again.
/// </summary>
internal sealed class StreamConflictRetry(ILogger<StreamConflictRetry> logger) : IEndpointFilter
{
    private const int Attempts = 3;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        request.EnableBuffering();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await next(context);
            }
            catch (Exception ex) when (attempt < Attempts && IsStreamConflict(ex))
            {
                logger.LogInformation("Tenant stream changed under {Method} {Path}; deciding again (attempt {Attempt})", request.Method, request.Path, attempt + 1);
                context.HttpContext.RequestServices.GetRequiredService<IDocumentSession>().EjectAllPendingChanges();
                request.Body.Position = 0;
            }
        }
    }

    private static bool IsStreamConflict(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is JasperFx.ConcurrencyException or Marten.Exceptions.ConcurrentUpdateException
                || ex is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation, TableName: "mt_events" })
            {
                return true;
            }
        }

        return false;
    }
}
