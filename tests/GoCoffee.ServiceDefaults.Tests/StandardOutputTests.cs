using System.Text;
using System.Text.Json;
using Serilog;
using Serilog.Formatting.Compact;

namespace GoCoffee.ServiceDefaults.Tests;

public sealed class StandardOutputTests
{
    [Fact]
    public void Every_event_is_written_as_one_json_line_in_order_and_none_is_lost_when_the_logger_is_disposed()
    {
        var output = new MemoryStream();
        const int events = 2_500;
        using (var logger = Logger(output, StandardOutput.DefaultInterval, StandardOutput.DefaultQueueLimit))
        {
            for (var i = 0; i < events; i++)
            {
                logger.Information("Event {Number} of {Total}", i, events);
            }

            // Disposing is what the host does when the process stops: whatever is still queued is written.
        }

        var lines = Lines(output);
        Assert.Equal(events, lines.Length);
        Assert.Equal(Enumerable.Range(0, events), lines.Select(line => line.GetProperty("Number").GetInt32()));
    }

    [Fact]
    public async Task A_line_is_written_within_the_interval_without_waiting_for_more()
    {
        var pipe = new System.IO.Pipelines.Pipe();
        using var logger = Logger(pipe.Writer.AsStream(), TimeSpan.FromMilliseconds(50), StandardOutput.DefaultQueueLimit);
        logger.Information("Only {Number}", 1);

        using var reader = new StreamReader(pipe.Reader.AsStream());
        var line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, JsonDocument.Parse(line!).RootElement.GetProperty("Number").GetInt32());
    }

    [Fact]
    public void When_the_output_falls_behind_by_the_queue_limit_newer_events_are_dropped_and_counted()
    {
        var output = new MemoryStream();
        using (var logger = Logger(output, TimeSpan.FromHours(1), queueLimit: 10))
        {
            for (var i = 0; i < 15; i++)
            {
                logger.Information("Event {Number}", i);
            }
        }

        var lines = Lines(output);
        Assert.Equal(Enumerable.Range(0, 10), lines.Take(10).Select(line => line.GetProperty("Number").GetInt32()));
        var warning = Assert.Single(lines.Skip(10));
        Assert.Equal("Warning", warning.GetProperty("@l").GetString());
        Assert.Equal(5, warning.GetProperty("Dropped").GetInt64());
    }

    private static Serilog.Core.Logger Logger(Stream output, TimeSpan interval, int queueLimit) =>
        new LoggerConfiguration().WriteTo.Sink(new StandardOutput(new CompactJsonFormatter(), output, interval, queueLimit)).CreateLogger();

    private static JsonElement[] Lines(MemoryStream output) =>
        [.. Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)];
}
