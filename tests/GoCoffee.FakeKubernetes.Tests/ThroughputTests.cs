using System.Diagnostics;
using Xunit.Abstractions;

namespace GoCoffee.FakeKubernetes.Tests;

public sealed class ThroughputTests(ITestOutputHelper output) : FakeClusterTest
{
    [Fact]
    public async Task Serves_hundreds_of_writes_per_second_with_a_watch_open()
    {
        const int count = 1000;
        var start = Server.ResourceVersion;
        var seen = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var watching = Task.Run(async () =>
        {
            await foreach (var _ in Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: start, cancellationToken: stop.Token))
            {
                if (Interlocked.Increment(ref seen) == count) return;
            }
        });

        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var map = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"cm-{i}", Labels = new Dictionary<string, string> { ["n"] = $"{i % 10}" } } };
            map.Data = new Dictionary<string, string> { ["value"] = new string('x', 200) };
            await Client.CoreV1.CreateNamespacedConfigMapAsync(map, "default", cancellationToken: ct);
        });
        var writes = clock.Elapsed;
        await watching.WaitAsync(stop.Token);
        output.WriteLine($"{count} creates in {writes.TotalMilliseconds:F0} ms ({count / writes.TotalSeconds:F0}/s); all watched after {clock.ElapsedMilliseconds} ms");

        Assert.Equal(count, seen);
        // Release builds serve 1000+ creates/s on 2 cores; the bound is loose for debug builds on a busy CI machine.
        Assert.True(count / writes.TotalSeconds > 100, $"only {count / writes.TotalSeconds:F0} creates/s");
        Assert.Equal(100, (await Client.CoreV1.ListNamespacedConfigMapAsync("default", labelSelector: "n=3")).Items.Count);
    }
}
