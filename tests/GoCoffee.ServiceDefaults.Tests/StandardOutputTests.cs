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
        var logger = new LoggerConfiguration()
            .WriteTo.Sink(new StandardOutput(new CompactJsonFormatter(), output), StandardOutput.Batching)
            .CreateLogger();

        const int events = 2_500;
        for (var i = 0; i < events; i++)
        {
            logger.Information("Event {Number} of {Total}", i, events);
        }

        // What disposing the host's logger does when the process stops: whatever is still queued is written.
        logger.Dispose();

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(events, lines.Length);
        Assert.Equal(Enumerable.Range(0, events), lines.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("Number").GetInt32()));
    }
}
