using System.Text;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace GoCoffee.ServiceDefaults;

/// <summary>
/// Log events to stdout, a batch at a time: Serilog's batching loop hands over whatever queued since the last batch,
/// which is formatted into one buffer and written with one write, instead of one write (and one wake-up of a writer
/// thread) per event. A process handling thousands of requests a second writes a few dozen times a second.
/// </summary>
internal sealed class StandardOutput(ITextFormatter formatter, Stream output) : IBatchedLogEventSink, IDisposable
{
    public StandardOutput(ITextFormatter formatter)
        : this(formatter, Console.OpenStandardOutput())
    {
    }

    /// <summary>
    /// A batch every 50 ms at the latest (the first event at once), so a line shows within 50 ms. At most 100 000 events
    /// wait: if stdout stops taking them (a stalled reader), newer events are dropped rather than stall requests.
    /// </summary>
    public static readonly BatchingOptions Batching = new()
    {
        BatchSizeLimit = 1000,
        BufferingTimeLimit = TimeSpan.FromMilliseconds(50),
        QueueLimit = 100_000,
        EagerlyEmitFirstEvent = true,
    };

    private readonly StreamWriter _stdout = new(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 64 * 1024)
    {
        AutoFlush = false,
    };

    public Task EmitBatchAsync(IReadOnlyCollection<LogEvent> batch)
    {
        foreach (var logEvent in batch)
        {
            formatter.Format(logEvent, _stdout);
        }

        _stdout.Flush();
        return Task.CompletedTask;
    }

    public void Dispose() => _stdout.Dispose();
}
