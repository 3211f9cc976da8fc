using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace GoCoffee.ServiceDefaults;

/// <summary>
/// Trace context without spans, for a process that exports no traces: requests (ASP.NET Core), outgoing HTTP calls
/// (HttpClient, the gateway's forwarded requests), messages (MassTransit) and the platform's own activities still get a
/// trace id and a span id, so logs correlate and <c>traceparent</c> and baggage reach the next process; but nothing is
/// recorded (no tags, no events), since nothing would read it. A span whose parent was sampled stays sampled, so a
/// caller's sampling decision passes through unchanged.
/// </summary>
/// <remarks>One listener for the whole process, from host start to host stop (tests run several hosts in one process).</remarks>
internal sealed class TraceContextOnly : IHostedService, IDisposable
{
    /// <summary>The sources whose activities carry context across processes: inbound and outbound HTTP, messages, the platform's own.</summary>
    public static readonly IReadOnlySet<string> Sources = new HashSet<string>(StringComparer.Ordinal)
    {
        "Microsoft.AspNetCore", "System.Net.Http", "MassTransit", Telemetry.SourceName,
    };

    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => Sources.Contains(source.Name),
        Sample = static (ref ActivityCreationOptions<ActivityContext> options) =>
            (options.Parent.TraceFlags & ActivityTraceFlags.Recorded) != 0
                ? ActivitySamplingResult.AllDataAndRecorded
                : ActivitySamplingResult.PropagationData,
    };

    public Task StartAsync(CancellationToken cancellationToken)
    {
        ActivitySource.AddActivityListener(_listener);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();
}
