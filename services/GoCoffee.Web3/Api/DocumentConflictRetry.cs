using Marten;

namespace GoCoffee.Web3.Api;

/// <summary>
/// Issuing an invoice takes the next index of the tenant's wallet under optimistic concurrency: two issues at once make
/// Marten refuse the later commit. The request is decided again against the fresh wallet (at most three times) rather
/// than answered with a 500. Bodies are buffered so the handler can read them again.
/// </summary>
internal sealed class DocumentConflictRetry(ILogger<DocumentConflictRetry> logger) : IEndpointFilter
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
            catch (Exception ex) when (attempt < Attempts && IsConflict(ex))
            {
                logger.LogInformation("A document changed under {Method} {Path}; deciding again (attempt {Attempt})", request.Method, request.Path, attempt + 1);
                context.HttpContext.RequestServices.GetRequiredService<IDocumentSession>().EjectAllPendingChanges();
                request.Body.Position = 0;
            }
        }
    }

    private static bool IsConflict(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is JasperFx.ConcurrencyException or Marten.Exceptions.ConcurrentUpdateException
                || ex is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
            {
                return true;
            }
        }

        return false;
    }
}
