using System.Diagnostics;
using GoCoffee.Bench.Tenants;

var options = BenchOptions.Parse(args);
using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(20));
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
void Log(string line) => Console.WriteLine($"{DateTime.Now:HH:mm:ss} {line}");

var clock = Stopwatch.StartNew();
var loadBefore = MachineInfo.LoadAverage();
Log($"load average {loadBefore}; starting the platform");
await using var platform = await BenchPlatform.Start(options.Settings, options.PostgresOptions);
CpuMeter.OwnDatabase = platform.Database.Name;
using var run = new BenchmarkRun(platform, options, Log);
await run.WarmUp(stop.Token);
var broker = await run.BrokerRoundTrips(stop.Token);
var latency = new List<LatencyResult>();
foreach (var shape in BenchOptions.Shapes)
{
    latency.Add(await run.Latency(shape, stop.Token));
}

var bursts = new List<BurstResult>();
foreach (var shape in options.BurstShapes)
{
    bursts.Add(await run.Burst(shape, stop.Token));
}

var result = new RunResult(MachineInfo.Read(), platform.Settings, await Versions.Read(stop.Token), loadBefore, MachineInfo.LoadAverage(), clock.Elapsed, broker, latency, bursts, run.Notes);
var section = Report.Section(result, options);
Console.WriteLine();
Console.WriteLine(section);
if (options.Write)
{
    var path = Path.Combine(Report.RepositoryRoot(), "docs", "BENCHMARKS.md");
    Report.Write(path, section);
    Log($"wrote {path}");
}

return result.Latency.All(l => l.Samples.All(s => s.Succeeded)) && result.Bursts.All(b => b.Samples.All(s => s.Succeeded)) ? 0 : 1;
