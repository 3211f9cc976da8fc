using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace GoCoffee.ServiceDefaults.Tests;

/// <summary>
/// Runs alone: activity sources and meters are process-wide, so another test's host would add its spans and polls
/// to what this one counts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PollTracingCollection
{
    public const string Name = "poll tracing (alone)";
}

[Collection(PollTracingCollection.Name)]
public sealed class PollTracingTests : IsolatedTest
{
    [Fact]
    public async Task An_idle_outbox_poll_exports_no_span_and_a_poll_that_relayed_a_message_exports_its_relay_span()
    {
        var exported = new ExportedSpans();
        using var polls = new PollCounter("outbox-relay");
        await using var host = await PlatformHost.Start(
            Database,
            VirtualHost,
            builder =>
            {
                builder.AddPlatformService(ReliabilityHost.Identity);
                builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(exported));
            },
            app => app.MapDefaultEndpoints(),
            new Dictionary<string, string?>
            {
                // Tracing is on only with an OTLP endpoint; nothing listens there, the in-memory exporter is what counts.
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9",
            });

        // Start-up (schema, bus, the first inbox clean-up) has its spans; then the relay only polls an empty outbox.
        await polls.WaitFor("idle", 3);
        var before = exported.Snapshot().Count;
        var idleBefore = polls.Count("idle");
        await polls.WaitFor("idle", idleBefore + 10);
        var during = exported.Snapshot().Skip(before).Select(a => $"{a.Source.Name}: {a.DisplayName}").ToList();
        Assert.True(during.Count == 0, $"10 idle polls exported no span, but got: {string.Join(", ", during)}");

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var session = scope.ServiceProvider.GetRequiredService<Marten.IDocumentSession>();
            scope.ServiceProvider.GetRequiredService<IOutbox>().Publish(new BeanDelivered(Guid.NewGuid(), 12));
            await session.SaveChangesAsync();
        }

        var relayed = await TestInfrastructure.Eventually(
            () => Task.FromResult(exported.Snapshot().FirstOrDefault(a => a.Source.Name == Telemetry.SourceName && a.DisplayName == $"outbox relay {nameof(BeanDelivered)}")),
            TimeSpan.FromSeconds(20),
            "the poll that relayed the message exports its relay span");
        Assert.True(relayed.Recorded);
        await polls.WaitFor("worked", 1);
    }

    [Theory]
    [InlineData(null, null, "ParentBased{AlwaysOnSampler}")]
    [InlineData("parentbased_traceidratio", "0.1", "ParentBased{TraceIdRatioBasedSampler{0.100000}}")]
    [InlineData("always_off", null, "AlwaysOffSampler")]
    public void The_sampler_named_by_OTEL_TRACES_SAMPLER_still_decides_everything_but_idle_polls(string? sampler, string? argument, string inner)
    {
        Assert.Equal($"QuietPoll{{{inner}}}", new QuietPollSampler(sampler, argument).Description);
    }

    /// <summary>What the in-memory exporter was given (it adds from the exporting thread while the test reads).</summary>
    private sealed class ExportedSpans : System.Collections.ObjectModel.Collection<Activity>
    {
        private readonly Lock _lock = new();

        public List<Activity> Snapshot()
        {
            lock (_lock)
            {
                return [.. Items];
            }
        }

        protected override void InsertItem(int index, Activity item)
        {
            lock (_lock)
            {
                base.InsertItem(index, item);
            }
        }
    }

    /// <summary>The <c>gocoffee.background.polls</c> counter of one loop, by outcome.</summary>
    private sealed class PollCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

        public PollCounter(string loop)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == Telemetry.SourceName && instrument.Name == "gocoffee.background.polls")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                string? name = null, outcome = null;
                foreach (var tag in tags)
                {
                    if (tag.Key == "loop")
                    {
                        name = tag.Value as string;
                    }
                    else if (tag.Key == "outcome")
                    {
                        outcome = tag.Value as string;
                    }
                }

                if (name == loop && outcome is not null)
                {
                    _counts.AddOrUpdate(outcome, value, (_, count) => count + value);
                }
            });
            _listener.Start();
        }

        public long Count(string outcome) => _counts.GetValueOrDefault(outcome);

        public Task WaitFor(string outcome, long count) =>
            TestInfrastructure.Eventually(
                () => Task.FromResult(Count(outcome) >= count ? "ok" : null),
                TimeSpan.FromSeconds(20),
                $"{count} {outcome} polls of the outbox relay");

        public void Dispose() => _listener.Dispose();
    }
}
