using System.Globalization;
using System.Text;

namespace GoCoffee.Bench.Tenants;

/// <summary>The "Tenant onboarding" section of docs/BENCHMARKS.md, written from one run.</summary>
public static class Report
{
    public const string Heading = "## Tenant onboarding";

    private static readonly TimeSpan SingleTarget = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan BurstTarget = TimeSpan.FromSeconds(20);

    public static string Section(RunResult run, BenchOptions options)
    {
        var md = new StringBuilder();
        md.AppendLine(Heading).AppendLine();
        md.AppendLine(Inv($"Issue \"Tenants\", performance: against the fake API server on this machine, a single tenant goes from POST to Active in under {SingleTarget.TotalSeconds:0} s at p50, and {options.Burst} tenants posted at once are all Active within {BurstTarget.TotalSeconds:0} s."));
        md.AppendLine();
        md.AppendLine(Inv($"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC at commit `{Git("rev-parse --short HEAD")}` by `dotnet run -c Release --project bench/GoCoffee.Bench.Tenants` ({run.Duration.TotalMinutes:0.0} min)."));
        md.AppendLine();

        md.AppendLine("### Targets").AppendLine();
        md.AppendLine("| target | measured | met |");
        md.AppendLine("|---|---|---|");
        foreach (var latency in run.Latency)
        {
            var p50 = Statistics.Median(Done(latency.Samples));
            md.AppendLine(Inv($"| single tenant ({latency.Shape.Name}) POST → Active p50 < {SingleTarget.TotalSeconds:0} s | {Ms(p50)} ({latency.Samples.Count(s => !s.Succeeded)} failed of {latency.Samples.Count}) | {Met(p50 < SingleTarget.TotalMilliseconds && latency.Samples.All(s => s.Succeeded))} |"));
        }

        foreach (var burst in run.Bursts)
        {
            var failures = burst.Samples.Count(s => !s.Succeeded);
            md.AppendLine(Inv($"| {burst.Samples.Count} tenants ({burst.Shape.Name}) posted at once, all Active < {BurstTarget.TotalSeconds:0} s | {Ms(burst.AllActiveMs)}, {failures} failed | {Met(burst.AllActiveMs < BurstTarget.TotalMilliseconds && failures == 0)} |"));
        }

        md.AppendLine();
        md.AppendLine("### Method").AppendLine();
        md.AppendLine("- **Platform**: everything in one process, as the tenant tests host it (`GoCoffee.Testing.PlatformHost`): the tenant service and the cluster-agent (target `kubernetes`, through a kubeconfig, the Tenant custom resource served and watched) on Kestrel, each with its own schema in a fresh PostgreSQL database and a fresh RabbitMQ virtual host, and `GoCoffee.FakeKubernetes` on 127.0.0.1. PostgreSQL and RabbitMQ are the machine's (`scripts/infra.sh`). Clients carry PlatformHost's platform-admin internal token. The services' own logs are set to Warning (`Serilog:MinimumLevel:Override` for `GoCoffee`, `Serilog.AspNetCore`, `Microsoft.Hosting`) so the benchmark's polling does not flood the console; tracing stays on as in production.");
        md.AppendLine(Inv($"- **Order**: warm-up ({options.WarmUp} tenant(s) of each shape through the platform, 10 of each through the baselines), broker round trip, single-tenant latency per shape with its baselines, then the bursts (the first burst also grows the services' PostgreSQL connection pools, as a first burst after a deployment would)."));
        md.AppendLine("- **Run to run**, on this shared 2-core machine, the same build's single-tenant p50 varied by about ±25 % and a burst's total by about ±40 % during the session this benchmark was written in; compare the ratios within one run rather than absolute numbers across runs.");
        md.AppendLine("- **POST → Active** is what a client sees: from just before the POST to the first read of the API that shows phase Active. \"Stored\" times in *Where the time goes* come from the platform's own timestamps and leave out the polling interval.");
        md.AppendLine("- **Baselines**, same run, same fake API server, measured between the platform's tenants: *raw apply* is one server-side apply request per object with KubernetesClient, in the agent's order — the least any client could do; *agent path* is the agent's own `KubernetesApiTarget` (a GET then an apply per object, then the list of the tenant's namespaces) — exactly the cluster work of `ProvisionTenantNamespacesConsumer`, without bus or database; for a burst, the same number of tenants through the agent path right after it, as many at a time as the agent consumes (`Messaging:ConcurrentMessageLimit`). A bare MassTransit publish → consume round trip on the same broker and virtual host prices one broker hop (onboarding takes three, each also through an outbox and an inbox).");
        md.AppendLine($"- **A shared machine**: before each phase the benchmark waits up to 20 s for processes other than itself, RabbitMQ and PostgreSQL (the server's own processes and the backends of the benchmark's database; other databases' backends count as others) to use at most {options.QuietCores.ToString("0.00", CultureInfo.InvariantCulture)} cores; it records the CPU they used during the phase (\"CPU of other processes\" — an understatement of their demand, as they get less while the benchmark runs), and repeats a phase up to {options.Attempts} times when they were busy before or during it or RabbitMQ restarted meanwhile (other sessions' tests restart it). The attempt with the least other load is reported; every attempt is listed at the end. \"CPU pressure\" is Linux PSI `some avg10` at the end of the phase: the share of the last 10 s in which some task, the benchmark's included, waited for a CPU.");
        md.AppendLine();
        md.AppendLine("### Single tenant, POST → Active").AppendLine();
        md.AppendLine(Inv($"{options.Samples} tenants one after another per shape; each POSTed, then read with GET every {options.PollInterval.TotalMilliseconds:0} ms until its phase is Active, then the same objects for another tenant id applied by each baseline (interleaved, so both see the same machine)."));
        md.AppendLine();
        md.AppendLine("| shape | objects | n | failed | p50 | p90 | p99 | max | raw apply p50 | agent path p50 | p50 ÷ raw apply | p50 ÷ agent path | load 1/5/15 before → after | CPU pressure | CPU of other processes |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var latency in run.Latency)
        {
            var done = Done(latency.Samples);
            var baseline = latency.Baseline;
            var p50 = Statistics.Median(done);
            md.AppendLine(Inv($"| {latency.Shape.Description} | {baseline.Objects} | {latency.Samples.Count} | {latency.Samples.Count(s => !s.Succeeded)} | {Ms(p50)} | {Ms(Statistics.Percentile(done, 90))} | {Ms(Statistics.Percentile(done, 99))} | {Ms(done.DefaultIfEmpty(double.NaN).Max())} | {Ms(Statistics.Median(baseline.Raw))} | {Ms(Statistics.Median(baseline.Agent))} | {p50 / Statistics.Median(baseline.Raw):0.0}× | {p50 / Statistics.Median(baseline.Agent):0.0}× | {latency.Cpu.LoadBefore} → {latency.Cpu.LoadAfter} | {latency.Cpu.Pressure} | {latency.Cpu.Others:0.00} cores |"));
        }

        md.AppendLine();
        md.AppendLine(Inv($"Broker round trip (bare MassTransit publish → consume): p50 {Ms(Statistics.Median(run.BrokerRoundTrips))}, p99 {Ms(Statistics.Percentile(run.BrokerRoundTrips, 99))} ({run.BrokerRoundTrips.Count} messages)."));
        md.AppendLine();

        md.AppendLine("### Burst").AppendLine();
        md.AppendLine(Inv($"{options.Burst} tenants POSTed at once (all requests in flight together), then the tenant list read every {options.BurstPollInterval.TotalMilliseconds:0} ms (one request per 100 tenants) until every one is Active. Individual times are from each tenant's POST to the first list that shows it Active."));
        md.AppendLine();
        md.AppendLine("| shape | tenants | all Active | p50 | p90 | p99 | max | failed | agent path, same tenants, no bus | all Active ÷ agent path | load 1/5/15 before → after | CPU pressure | CPU of other processes |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var burst in run.Bursts)
        {
            var done = Done(burst.Samples);
            md.AppendLine(Inv($"| {burst.Shape.Description} | {burst.Samples.Count} | {Ms(burst.AllActiveMs)} | {Ms(Statistics.Median(done))} | {Ms(Statistics.Percentile(done, 90))} | {Ms(Statistics.Percentile(done, 99))} | {Ms(done.DefaultIfEmpty(double.NaN).Max())} | {burst.Samples.Count(s => !s.Succeeded)} | {Ms(burst.AgentBaselineMs)} ({burst.AgentParallelism} tenants at a time) | {burst.AllActiveMs / burst.AgentBaselineMs:0.0}× | {burst.Cpu.LoadBefore} → {burst.Cpu.LoadAfter} | {burst.Cpu.Pressure} | {burst.Cpu.Others:0.00} cores |"));
        }

        md.AppendLine();
        md.AppendLine("### Where the time goes").AppendLine();
        md.AppendLine("Median of each step, from the tenant's audit trail (when each event was stored) and the fake API server's request log (when the agent's requests arrived); milliseconds after the POST left the client. The three messaging steps are outbox commit → relay → RabbitMQ → inbox + consumer.");
        md.AppendLine();
        var columns = run.Latency.Select(l => ($"single, {l.Shape.Name}", l.Stages)).Concat(run.Bursts.Select(b => ($"burst, {b.Shape.Name}", b.Stages))).ToList();
        md.AppendLine("| step | covers | " + string.Join(" | ", columns.Select(c => c.Item1)) + " |");
        md.AppendLine("|---|---|" + string.Concat(columns.Select(_ => "---|")));
        for (var step = 0; step < Stages.Steps.Count; step++)
        {
            var i = step;
            md.AppendLine($"| {Stages.Steps[i].Name} | {Stages.Steps[i].Covers} | " + string.Join(" | ", columns.Select(c => Ms(Statistics.Median(c.Stages.Select(s => s.Durations[i]))))) + " |");
        }

        md.AppendLine("| **POST → Active, stored** | the saga's commit that makes the tenant Active | " + string.Join(" | ", columns.Select(c => "**" + Ms(Statistics.Median(c.Stages.Select(s => s.Active))) + "**")) + " |");
        md.AppendLine("| messaging share | the messaging steps (the monitoring step counted whole) ÷ POST → Active | " + string.Join(" | ", columns.Select(c => Inv($"{Statistics.Median(c.Stages.Select(s => (s.Durations[1] + s.Durations[2] + s.Durations[4] + s.Durations[5]) / s.Active)) * 100:0}%"))) + " |");
        md.AppendLine();

        md.AppendLine("### Profile").AppendLine();
        md.AppendLine("The spans the services record anyway (their own, MassTransit's, Marten's, Npgsql's), collected in-process during the phase; the kinds with the most summed time. Spans nest (a consume span contains its database and Kubernetes spans) and run concurrently, so sums exceed the wall time.");
        md.AppendLine();
        foreach (var (title, profile) in run.Bursts.Select(b => ($"burst, {b.Shape.Name}", b.Profile)).Concat(run.Latency.Take(1).Select(l => ($"single, {l.Shape.Name}", l.Profile))))
        {
            md.AppendLine(Inv($"| {title}: span | source | count | p50 | p99 | summed |"));
            md.AppendLine("|---|---|---|---|---|---|");
            foreach (var span in profile.Take(10).Concat(profile.Skip(10).Where(s => s.Name.StartsWith("outbox relay", StringComparison.Ordinal))))
            {
                md.AppendLine(Inv($"| `{span.Name.Replace("|", "\\|", StringComparison.Ordinal)}` | {span.Source} | {span.Count} | {Ms(span.P50Ms)} | {Ms(span.P99Ms)} | {Ms(span.TotalMs)} |"));
            }

            md.AppendLine();
        }

        md.AppendLine("### Machine, versions, settings").AppendLine();
        md.AppendLine(Inv($"- {run.Machine.Cores} cores ({run.Machine.CpuModel}), {run.Machine.MemoryMiB / 1024.0:0.0} GiB memory; {run.Machine.Os}; {run.Machine.Runtime}, {run.Machine.Gc} GC, Release build."));
        md.AppendLine($"- Load average (1/5/15 min) {run.LoadBefore} before the run, {run.LoadAfter} after; each phase's load and CPU pressure are in the tables.");
        md.AppendLine($"- {string.Join(", ", run.Versions.Select(v => $"{v.Key} {v.Value}"))}.");
        md.AppendLine($"- Settings (the product's defaults unless overridden): {string.Join(", ", run.Settings.Where(s => !s.Key.StartsWith("ConnectionStrings:", StringComparison.Ordinal)).Select(s => $"`{s.Key}={s.Value}`"))}{(options.PostgresOptions is { } pg ? $"; PostgreSQL connection string plus `{pg}`" : string.Empty)}.");
        foreach (var note in run.Notes)
        {
            md.AppendLine($"- {note}");
        }

        return md.ToString();
    }

    /// <summary>Replaces the section in the file (or appends it; creates the file with a title when missing).</summary>
    public static void Write(string path, string section)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n\nPerformance measurements of the platform. Each section names the benchmark under `bench/` that writes it and how to run it again.\n";
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        var start = lines.FindIndex(l => l.TrimEnd() == Heading);
        if (start < 0)
        {
            text = text.TrimEnd('\n') + "\n\n" + section;
        }
        else
        {
            var end = lines.FindIndex(start + 1, l => l.StartsWith("## ", StringComparison.Ordinal));
            var after = end < 0 ? string.Empty : "\n" + string.Join('\n', lines.Skip(end));
            var before = start > 0 ? string.Join('\n', lines.Take(start)) + "\n" : string.Empty;
            text = before + section + after;
        }

        File.WriteAllText(path, text.TrimEnd('\n') + "\n");
    }

    /// <summary>The checkout this runs in: the first folder up from here, or from the binary, that holds GoCoffee.sln.</summary>
    public static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "GoCoffee.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException("No GoCoffee.sln above the working directory or the benchmark's binary.");
    }

    private static List<double> Done(IEnumerable<OnboardingSample> samples) => samples.Where(s => s.Succeeded).Select(s => s.ActiveMs!.Value).ToList();

    private static string Met(bool met) => met ? "**yes**" : "**no**";

    public static string Ms(double ms) =>
        double.IsNaN(ms) ? "—" : ms >= 10_000 ? Inv($"{ms / 1000:0.0} s") : ms >= 100 ? Inv($"{ms:0} ms") : Inv($"{ms:0.0} ms");

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Git(string arguments)
    {
        try
        {
            using var git = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, RedirectStandardError = true });
            var output = git!.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
