using System.Net;
using k8s.Autorest;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace GoCoffee.ClusterAgent.Targets;

/// <summary>
/// Retries what the API server means as "try again" (429, 5xx but 501, request timeouts, dropped connections), with
/// exponential back-off and jitter, honouring <c>Retry-After</c>. Everything else, above all 4xx answers about the
/// object itself, fails at once: retrying an invalid object only delays the answer.
/// </summary>
internal static class KubernetesRetry
{
    public static ResiliencePipeline Pipeline(KubernetesRequestOptions options, ILogger logger) =>
        new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome.Exception, args.Context.CancellationToken)),
                MaxRetryAttempts = Math.Max(0, options.RetryAttempts),
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Exception, options.MaxRetryDelay)),
                OnRetry = args =>
                {
                    logger.LogWarning("Kubernetes API request failed ({Error}); attempt {Attempt} of {Attempts} in {Delay}",
                        Describe(args.Outcome.Exception), args.AttemptNumber + 2, options.RetryAttempts + 1, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(options.RequestTimeout)
            .Build();

    public static bool IsTransient(Exception? exception, CancellationToken cancellationToken) => exception switch
    {
        HttpOperationException http => IsTransient(http.Response?.StatusCode),
        HttpRequestException or IOException or TimeoutRejectedException => true,

        // HttpClient's own timeout surfaces as a cancellation the caller did not ask for.
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    public static bool IsTransient(HttpStatusCode? status) =>
        status is HttpStatusCode.TooManyRequests || (status is { } code && (int)code >= 500 && code != HttpStatusCode.NotImplemented);

    private static TimeSpan? RetryAfter(Exception? exception, TimeSpan ceiling)
    {
        if (exception is HttpOperationException { Response.Headers: { } headers }
            && headers.TryGetValue("Retry-After", out var values)
            && int.TryParse(values.FirstOrDefault(), out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(Math.Min(seconds, ceiling.TotalSeconds));
        }

        return null;
    }

    private static string Describe(Exception? exception) => exception switch
    {
        HttpOperationException http => $"{(int?)http.Response?.StatusCode} {http.Response?.ReasonPhrase}",
        null => "no exception",
        _ => exception.GetType().Name,
    };
}
