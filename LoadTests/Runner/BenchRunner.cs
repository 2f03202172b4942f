using System.Diagnostics;
using System.Text;
using Chat.LoadTests.Infrastructure;
using Chat.LoadTests.Reports;
using Chat.LoadTests.Targets;

namespace Chat.LoadTests.Runner;

/// <summary>
/// The standard set: fan-out with 64-byte and 1 KiB comments, idle connections and ingest, each on ours and on the
/// Kestrel baseline at the same offered load; fan-out at 25k, 150k and 400k deliveries/s on ours, the Kestrel
/// baseline, the lean Kestrel chat and Bun; churn, slow-consumer and cross-node on ours. Scenarios that need
/// PostgreSQL are skipped when it is not installed, baselines that cannot start likewise. One comparison report with
/// ratios ours / baseline. About ten minutes on the 2-core dev machine.
/// </summary>
internal static class BenchRunner
{
    private static readonly string[] FanoutPairs = ["fanout-64", "fanout-1k", "fanout-64-pg"];

    /// <summary>
    /// Issue 17's loads, as clients × senders × msg/s each: 25k, 150k and 400k deliveries/s offered, each on ours and
    /// the three baselines back to back, so that the ratios of one load come from one stretch of the machine's time.
    /// </summary>
    private static readonly (string Name, int Clients, int Senders, int RateEach)[] RateLoads =
        [("fanout-25k", 100, 5, 50), ("fanout-150k", 300, 10, 50), ("fanout-400k", 200, 20, 100)];

    private static readonly TargetKind[] Baselines = [TargetKind.Kestrel, TargetKind.KestrelLean, TargetKind.Bun];

    public static async Task<BenchReport> RunAsync(BenchOptions options, LiveProgress progress, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        var entries = new List<BenchEntry>();
        var charts = new Dictionary<string, IReadOnlyList<Chart>>();
        foreach (var (name, run) in Set(options))
        {
            var label = run.TargetLabel;
            BenchEntry entry;
            if (run.Store == StoreKind.Postgres && run.Postgres is null && !PostgresCluster.BinariesAvailable)
            {
                entry = new BenchEntry(name, label, null, $"PostgreSQL 15 not found in {PostgresCluster.BinDirectory}");
            }
            else
            {
                try
                {
                    var report = await ScenarioRunner.RunAsync(run, progress, cancellation);
                    charts[name] = await ReportWriter.WriteAsync(Path.Combine(options.Out, name), report);
                    entry = new BenchEntry(name, label, report, null);
                }
                catch (TargetUnavailableException e)
                {
                    progress.Note($"{name}: skipped: {e.Message}");
                    entry = new BenchEntry(name, label, null, e.Message);
                }
            }

            entries.Add(entry);
        }

        var bench = new BenchReport(started, Math.Round(clock.Elapsed.TotalSeconds, 1), entries, Compare(entries));
        var comparisonCharts = new List<Chart>();
        foreach (var scenario in FanoutPairs)
        {
            if (Report(entries, $"{scenario}-ours") is { } ours && Report(entries, $"{scenario}-kestrel") is { } baseline)
            {
                comparisonCharts.AddRange(RunCharts.Compare(scenario, ours, baseline));
            }
        }

        Directory.CreateDirectory(options.Out);
        foreach (var chart in comparisonCharts) await File.WriteAllTextAsync(Path.Combine(options.Out, chart.FileName), chart.Svg);
        await File.WriteAllTextAsync(Path.Combine(options.Out, "bench.md"), Markdown(bench));
        await File.WriteAllTextAsync(Path.Combine(options.Out, "bench.json"), JsonReport.Render(bench));
        await File.WriteAllTextAsync(Path.Combine(options.Out, "bench.html"), HtmlReport.Render(bench, comparisonCharts, charts));
        return bench;
    }

    internal static IEnumerable<(string Name, RunOptions Run)> Set(BenchOptions options)
    {
        var duration = options.Duration;
        RunOptions Run(string scenario, TargetKind target) => new()
        {
            Scenario = scenario,
            Target = target,
            Duration = duration,
            Settings = options.Settings,
            Live = options.Live,
        };

        // Below saturation on two shared cores, so that CPU per delivered message compares equal offered loads. The
        // store is the same for both: off (ours on the benchmark-only memory store, the baseline without one), or
        // PostgreSQL for both (ours batched COPY, the baseline one INSERT per message).
        var storeOff = new Dictionary<string, string>(options.Settings) { ["CHAT_STORE"] = "memory" };
        foreach (var target in (TargetKind[])[TargetKind.Ours, TargetKind.Kestrel])
        {
            var suffix = target == TargetKind.Ours ? "ours" : "kestrel";
            var off = target == TargetKind.Ours ? storeOff : options.Settings;
            yield return ($"fanout-64-{suffix}", Run("fanout", target) with { Clients = 100, Senders = 10, Rate = 100, MessageSize = 64, Settings = off });
            yield return ($"fanout-1k-{suffix}", Run("fanout", target) with { Clients = 100, Senders = 10, Rate = 100, MessageSize = 1024, Settings = off });
            yield return ($"fanout-64-pg-{suffix}", Run("fanout", target) with { Clients = 100, Senders = 10, Rate = 100, MessageSize = 64, Store = StoreKind.Postgres });
            // As many as the open-file limit of this machine allows both sides (20,000 per process, not raisable here).
            yield return ($"connections-{suffix}", Run("connections", target) with { Clients = 15_000, Rate = 2000, Duration = TimeSpan.FromSeconds(3), Settings = off });
        }

        foreach (var (name, clients, senders, rateEach) in RateLoads)
        {
            foreach (var target in (TargetKind[])[TargetKind.Ours, .. Baselines])
            {
                var run = Run("fanout", target) with { Clients = clients, Senders = senders, Rate = senders * rateEach, MessageSize = 64 };
                yield return ($"{name}-{run.TargetLabel}", target == TargetKind.Ours ? run with { Settings = storeOff } : run);
            }
        }

        yield return ("churn-ours", Run("churn", TargetKind.Ours) with { Clients = 20 });
        yield return ("slow-consumer-ours", Run("slow-consumer", TargetKind.Ours) with { Duration = TimeSpan.FromSeconds(Math.Min(8, duration.TotalSeconds)) });
        yield return ("ingest-ours", Run("ingest", TargetKind.Ours) with { Store = StoreKind.Postgres });
        yield return ("ingest-kestrel", Run("ingest", TargetKind.Kestrel) with { Store = StoreKind.Postgres });
        yield return ("cross-node-ours", Run("cross-node", TargetKind.Ours) with { Store = StoreKind.Postgres });
    }

    private static RunReport? Report(List<BenchEntry> entries, string name) => entries.FirstOrDefault(e => e.Name == name)?.Report;

    private static List<ComparisonRow> Compare(List<BenchEntry> entries)
    {
        var rows = new List<ComparisonRow>();
        foreach (var scenario in FanoutPairs)
        {
            if (Report(entries, $"{scenario}-ours") is { } ours) CompareFanout(rows, scenario, ours, Report(entries, $"{scenario}-kestrel"));
        }

        foreach (var (load, _, _, _) in RateLoads)
        {
            if (Report(entries, $"{load}-ours") is not { } ours) continue;
            foreach (var target in Baselines)
            {
                var label = new RunOptions { Scenario = "fanout", Target = target }.TargetLabel;
                CompareFanout(rows, $"{load} vs {label}", ours, Report(entries, $"{load}-{label}"));
            }
        }

        if (Report(entries, "connections-ours") is { } oursConnections)
        {
            var baseline = Report(entries, "connections-kestrel");
            rows.Add(new("connections", "server memory per connection", oursConnections.FigureValue("server memory per connection"), baseline?.FigureValue("server memory per connection"), "bytes"));
            rows.Add(new("connections", "handshake p99", MainLatency(oursConnections)?.P99, baseline is null ? null : MainLatency(baseline)?.P99, "ms"));
            rows.Add(new("connections", "one broadcast: last receiver", oursConnections.FigureValue("one broadcast: last receiver"), baseline?.FigureValue("one broadcast: last receiver"), "ms"));
        }

        if (Report(entries, "ingest-ours") is { } oursIngest)
        {
            var baseline = Report(entries, "ingest-kestrel");
            foreach (var (metric, unit) in (ReadOnlySpan<(string, string)>)[("server ingest", "rows/s"), ("server CPU per stored row", "µs"), ("PostgreSQL CPU per stored row", "µs")])
            {
                rows.Add(new("ingest", metric, oursIngest.FigureValue(metric), baseline?.FigureValue(metric), unit));
            }
        }

        return rows;
    }

    private static void CompareFanout(List<ComparisonRow> rows, string scenario, RunReport ours, RunReport? baseline)
    {
        void Figure(string metric, string unit) => rows.Add(new(scenario, metric, ours.FigureValue(metric), baseline?.FigureValue(metric), unit));
        void Latency(string metric, Func<Measurement.LatencySummary, double> pick) =>
            rows.Add(new(scenario, metric, MainLatency(ours) is { } o ? pick(o) : null, baseline is not null && MainLatency(baseline) is { } b ? pick(b) : null, "ms"));
        Figure("server CPU per delivered msg", "µs");
        Figure("delivered msgs/s", "msg/s");
        Latency("p50", l => l.P50);
        Latency("p99", l => l.P99);
        Latency("p99.9", l => l.P999);
        Figure("server CPU", "% of a core");
        Figure("server write/writev calls per delivered msg", "calls");
        Figure("client CPU per delivered msg", "µs");
    }

    private static Measurement.LatencySummary? MainLatency(RunReport report) => report.Steps.FirstOrDefault(s => s.Step == report.MainStep)?.Latency;

    private static string Markdown(BenchReport bench)
    {
        var md = new StringBuilder("# Load test bench: ours against the baselines (Kestrel, lean Kestrel, Bun)\n\n");
        md.Append($"Started {bench.StartedUtc:yyyy-MM-dd HH:mm:ss} UTC, {Format.Number(bench.Seconds)} s.\n\n");
        md.Append("| scenario | metric | ours | baseline | unit | ours / baseline |\n| --- | --- | ---: | ---: | --- | ---: |\n");
        foreach (var row in bench.Comparisons)
        {
            md.Append($"| {row.Scenario} | {row.Metric} | {(row.Ours is { } o ? Format.Number(o) : "–")} | {(row.Baseline is { } b ? Format.Number(b) : "–")} | {row.Unit} | {Format.Ratio(row.Ratio)} |\n");
        }

        md.Append('\n');
        foreach (var entry in bench.Entries)
        {
            md.Append($"## {entry.Name} on {entry.Target}\n\n");
            if (entry.Report is null)
            {
                md.Append($"Skipped: {entry.Skipped}\n\n");
                continue;
            }

            MarkdownReport.AppendFigures(md, entry.Report.Figures);
            MarkdownReport.AppendSteps(md, entry.Report);
            var failed = entry.Report.Checks.Where(c => !c.Passed).ToList();
            md.Append(failed.Count == 0 ? "All checks passed.\n\n" : $"Failed checks: {string.Join("; ", failed.Select(c => $"{c.Name} ({c.Detail})"))}\n\n");
        }

        return md.ToString();
    }
}
