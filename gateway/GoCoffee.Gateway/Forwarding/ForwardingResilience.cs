using System.Net;
using System.Net.Sockets;
using GoCoffee.Gateway.Edge;
using GoCoffee.ServiceDefaults;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace GoCoffee.Gateway.Forwarding;

/// <summary>
/// The proxy pipeline's own steps, before load balancing: the body-size limit, retries of requests that are safe to
/// send again, and a problem response for every error the gateway itself produces while forwarding (413, 502, 503, 504).
/// </summary>
/// <remarks>
/// Retries: only when the service could not be reached or failed before answering (connection refused or reset, no
/// response headers), never after it answered, and only for GET, HEAD and OPTIONS, or for a request with an
/// <c>Idempotency-Key</c>: the platform's contract is that a service treats a repeated key as the same request (the
/// tenant service replays the first answer), so the client, the gateway or both may safely send it again.
/// </remarks>
public sealed class ForwardingResilience(RequestDelegate next, IOptionsMonitor<ForwardingOptions> options, IOptionsMonitor<RequestLimitOptions> limits, ILogger<ForwardingResilience> logger)
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public async Task InvokeAsync(HttpContext context)
    {
        if (!LimitBody(context))
        {
            await Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "The request body is too large.", $"This route accepts at most {BodyLimit(context)} bytes.");
            return;
        }

        var settings = options.CurrentValue;
        var retryable = IsRetryable(context.Request, settings);
        if (retryable && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            // Kept to be sent again: in memory up to the threshold, in a temporary file beyond (the body limit still applies).
            context.Request.EnableBuffering(settings.RetryBodyMemoryThresholdBytes);
        }

        var proxy = context.GetReverseProxyFeature();
        var destinations = proxy.AvailableDestinations;
        for (var attempt = 1; ; attempt++)
        {
            await next(context);
            var error = context.GetForwarderErrorFeature();
            if (error is null || context.Response.HasStarted)
            {
                return;
            }

            if (!retryable || attempt >= settings.MaxAttempts || !IsTransient(error) || context.RequestAborted.IsCancellationRequested)
            {
                await WriteProblem(context, proxy, error);
                return;
            }

            logger.LogInformation("Retrying {Method} {Path} after {Error} (attempt {Attempt} of {MaxAttempts})", context.Request.Method, context.Request.Path, error.Error, attempt + 1, settings.MaxAttempts);
            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.StatusCode = StatusCodes.Status200OK;
            proxy.AvailableDestinations = destinations;
            if (context.Request.Body.CanSeek)
            {
                context.Request.Body.Position = 0;
            }

            await Task.Delay(settings.RetryDelay * (1 << (attempt - 1)), context.RequestAborted);
        }
    }

    private static bool IsRetryable(HttpRequest request, ForwardingOptions settings) =>
        settings.MaxAttempts > 1
        && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || request.Headers.ContainsKey(IdempotencyKeyHeader));

    /// <summary>The request never got an answer: nothing the service said is lost by asking again.</summary>
    private static bool IsTransient(IForwarderErrorFeature error) =>
        error.Error is ForwarderError.Request;

    private long BodyLimit(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.Metadata?.GetValueOrDefault(RequestLimitOptions.MaxRequestBodyBytesMetadata) is { } configured
        && long.TryParse(configured, out var routeLimit)
            ? routeLimit
            : limits.CurrentValue.MaxRequestBodyBytes;

    /// <summary>Refuses a declared oversize body at once; caps a streamed (chunked) one while it is read.</summary>
    private bool LimitBody(HttpContext context)
    {
        var limit = BodyLimit(context);
        if (context.Request.ContentLength > limit)
        {
            return false;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        return true;
    }

    private async Task WriteProblem(HttpContext context, IReverseProxyFeature proxy, IForwarderErrorFeature error)
    {
        var service = proxy.Cluster.Config.ClusterId;
        var timeout = context.Features.Get<IHttpRequestTimeoutFeature>();
        var (status, title, detail) = error.Error switch
        {
            _ when timeout is not null && timeout.RequestTimeoutToken.IsCancellationRequested =>
                (StatusCodes.Status504GatewayTimeout, "The service did not answer in time.", $"The '{service}' service did not answer within this route's timeout."),
            ForwarderError.RequestTimedOut =>
                (StatusCodes.Status504GatewayTimeout, "The service did not answer in time.", $"The '{service}' service did not answer in time."),
            ForwarderError.NoAvailableDestinations =>
                (StatusCodes.Status503ServiceUnavailable, "The service is unavailable.", $"No instance of the '{service}' service is healthy; try again shortly."),
            ForwarderError.Request or ForwarderError.RequestCreation when IsConnectionFailure(error.Exception) =>
                (StatusCodes.Status503ServiceUnavailable, "The service is unavailable.", $"The '{service}' service does not accept connections; try again shortly."),
            ForwarderError.RequestBodyClient when Unwrap<BadHttpRequestException>(error.Exception) is { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                (StatusCodes.Status413PayloadTooLarge, "The request body is too large.", $"This route accepts at most {BodyLimit(context)} bytes."),
            ForwarderError.RequestBodyClient =>
                (StatusCodes.Status400BadRequest, "The request body could not be read.", "The client stopped sending the body, or sent a malformed one."),
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled when context.RequestAborted.IsCancellationRequested =>
                (0, string.Empty, string.Empty),
            _ => (StatusCodes.Status502BadGateway, "The service failed to answer.", $"The '{service}' service broke off the exchange."),
        };

        if (status == 0)
        {
            return;
        }

        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "5";
        }

        await Problems.WriteAsync(context, status, title, detail, new Dictionary<string, object?> { ["service"] = service, ["forwarderError"] = error.Error.ToString() });
    }

    private static bool IsConnectionFailure(Exception? exception) =>
        Unwrap<HttpRequestException>(exception) is { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }
        || Unwrap<SocketException>(exception) is { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.TimedOut };

    private static T? Unwrap<T>(Exception? exception)
        where T : Exception
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is T match)
            {
                return match;
            }

            if (exception is AggregateException aggregate && aggregate.InnerExceptions.Select(Unwrap<T>).OfType<T>().FirstOrDefault() is { } inner)
            {
                return inner;
            }
        }

        return null;
    }
}
