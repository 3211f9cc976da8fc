using System.Collections.Concurrent;
using System.Text;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Parsing;

namespace GoCoffee.ServiceDefaults;

/// <summary>
/// Log events to stdout without the logging thread ever waiting or waking anyone: an event is put on a lock-free queue,
/// and a writer thread of its own drains the queue on a fixed interval, formatting everything that queued into one
/// buffer written with one write. Serilog.Sinks.Async and Serilog's own batching both wake their writer for every event
/// (a thread-pool dispatch or a context switch per request line); measured on the gateway, that wake-up cost more than
/// formatting and writing the line (docs/BENCHMARKS.md, Gateway).
/// </summary>
/// <remarks>
/// A line shows at most <c>interval</c> after it was logged; disposing (when the host stops) writes everything queued.
/// If the output stops taking lines (a stalled reader) and <c>queueLimit</c> events wait, newer events are dropped and
/// a warning says how many, rather than stall the process or grow without bound.
/// </remarks>
internal sealed class StandardOutput : ILogEventSink, IDisposable
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(50);
    public const int DefaultQueueLimit = 100_000;

    private static readonly MessageTemplate DroppedTemplate =
        new MessageTemplateParser().Parse("{Dropped} log events were dropped: the output did not take them fast enough");

    private readonly ConcurrentQueue<LogEvent> _queue = new();
    private readonly ITextFormatter _formatter;
    private readonly StreamWriter _output;
    private readonly TimeSpan _interval;
    private readonly int _queueLimit;
    private readonly ManualResetEventSlim _stopping = new();
    private readonly Thread _writer;
    private int _queued;
    private long _dropped;

    public StandardOutput(ITextFormatter formatter)
        : this(formatter, Console.OpenStandardOutput(), DefaultInterval, DefaultQueueLimit)
    {
    }

    public StandardOutput(ITextFormatter formatter, Stream output, TimeSpan interval, int queueLimit)
    {
        _formatter = formatter;
        _output = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 64 * 1024) { AutoFlush = false };
        _interval = interval;
        _queueLimit = queueLimit;
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "Log writer" };
        _writer.Start();
    }

    public void Emit(LogEvent logEvent)
    {
        if (Interlocked.Increment(ref _queued) > _queueLimit)
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _dropped);
            return;
        }

        _queue.Enqueue(logEvent);
    }

    public void Dispose()
    {
        _stopping.Set();
        _writer.Join();
        _output.Dispose();
        _stopping.Dispose();
    }

    private void WriteLoop()
    {
        while (!_stopping.Wait(_interval))
        {
            Drain();
        }

        Drain();
    }

    private void Drain()
    {
        try
        {
            var written = false;
            while (_queue.TryDequeue(out var logEvent))
            {
                Interlocked.Decrement(ref _queued);
                _formatter.Format(logEvent, _output);
                written = true;
            }

            if (Interlocked.Exchange(ref _dropped, 0) is var dropped and > 0)
            {
                _formatter.Format(new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Warning, null, DroppedTemplate, [new LogEventProperty("Dropped", new ScalarValue(dropped))]), _output);
                written = true;
            }

            if (written)
            {
                _output.Flush();
            }
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException)
        {
            SelfLog.WriteLine("Log events could not be written to the output: {0}", exception);
        }
    }
}
