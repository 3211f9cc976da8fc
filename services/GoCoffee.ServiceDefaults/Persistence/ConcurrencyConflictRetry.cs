using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GoCoffee.ServiceDefaults.Persistence;

/// <summary>
/// A request can race another writer of the same stream or document (the lifecycle saga appending to a tenant's
/// stream, two invoices taking the next index of one wallet); Marten then refuses the later commit. The request is
/// decided again against the fresh state (at most three times) rather than answered with a 500. Bodies are buffered so
/// handlers that read them can read them again.
/// </summary>
public sealed class ConcurrencyConflictRetry(ILogger<ConcurrencyConflictRetry> logger) : IEndpointFilter
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
                logger.LogInformation("A stream or document changed under {Method} {Path}; deciding again (attempt {Attempt})", request.Method, request.Path, attempt + 1);
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
                    or JasperFx.Events.EventStreamUnexpectedMaxEventIdException or JasperFx.Events.ExistingStreamIdCollisionException
                || ex is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
            {
                return true;
            }
        }

        return false;
    }
}
