using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GoCoffee.ServiceDefaults;

/// <summary>
/// RFC 9457 problem details for every error: status-code pages, unhandled exceptions, malformed requests and
/// validation failures (which name the field). Every problem carries the trace id and request id.
/// </summary>
public static class Problems
{
    public static IHostApplicationBuilder AddProblems(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
            context.ProblemDetails.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
            if (context.HttpContext.Request.Headers.TryGetValue("X-Request-Id", out var requestId))
            {
                context.ProblemDetails.Extensions.TryAdd("requestId", requestId.ToString());
            }
        });
        builder.Services.AddExceptionHandler<ClientErrorExceptionHandler>();

        // A body that cannot be read into an endpoint's parameter (bad JSON, a duplicated key, a wrong type) reaches the
        // handler below, which names the field; otherwise minimal APIs answer a bare 400 outside Development. (An
        // exception an IExceptionHandler handles is not logged as unhandled.)
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddValidation();
        return builder;
    }

    /// <summary>
    /// Writes a problem for an error the platform produces outside an endpoint (authentication, the gateway's own
    /// refusals): the same shape, trace id and request id as every other problem. Does nothing once the response started.
    /// </summary>
    public static Task WriteAsync(HttpContext context, int status, string title, string detail, IDictionary<string, object?>? extensions = null)
    {
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        context.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[key] = value;
        }

        return TypedResults.Problem(problem).ExecuteAsync(context);
    }

    public static WebApplication UseProblems(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>Turns errors a client caused (unreadable JSON, wrong content type, oversized body) into 4xx problems, never 500.</summary>
    private sealed class ClientErrorExceptionHandler(IProblemDetailsService problems, ILogger<ClientErrorExceptionHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            var (status, title, detail) = exception switch
            {
                BadHttpRequestException { InnerException: JsonException json } bad =>
                    (bad.StatusCode, "The request body is not valid JSON for this operation.", json.Path is { Length: > 0 } path ? $"{path}: {json.Message}" : json.Message),
                BadHttpRequestException bad => (bad.StatusCode, "The request is malformed.", bad.Message),
                JsonException json => (StatusCodes.Status400BadRequest, "The request body is not valid JSON for this operation.", json.Message),
                _ => (0, string.Empty, string.Empty),
            };

            if (status == 0)
            {
                logger.LogError(exception, "Unhandled exception for {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
                return false;
            }

            httpContext.Response.StatusCode = status;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                Exception = exception,
                ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
            });
        }
    }
}
