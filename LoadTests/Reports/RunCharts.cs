namespace Chat.LoadTests.Reports;

/// <summary>The charts of one run, and of ours against the baseline: throughput and latency percentiles over time.</summary>
internal static class RunCharts
{
    /// <summary>
    /// Throughput of every step that records deliveries (or the main step), the main step's p50/p99/p99.9, and the
    /// server's resources when the run sampled them.
    /// </summary>
    public static IReadOnlyList<Chart> For(RunReport report)
    {
        var steps = report.Steps.Select(s => s.Step).Where(s => s == report.MainStep || s.StartsWith("deliver", StringComparison.Ordinal)).ToList();
        var throughput = steps.Select(s => new ChartSeries(s, Points(report, s, r => r.Step.OkPerSecond))).ToList();
        var latency = new List<ChartSeries>
        {
            new("p50", Points(report, report.MainStep, r => r.Step.Latency.P50, withLatency: true)),
            new("p99", Points(report, report.MainStep, r => r.Step.Latency.P99, withLatency: true)),
            new("p99.9", Points(report, report.MainStep, r => r.Step.Latency.P999, withLatency: true)),
        };
        return
        [
            new("throughput.svg", $"{report.Title}: throughput", SvgChart.Render($"{report.Title}: throughput", "elapsed (s)", "per second", throughput)),
            new("latency.svg", $"{report.Title}: {report.MainStep} latency", SvgChart.Render($"{report.Title}: {report.MainStep} latency", "elapsed (s)", "ms", latency)),
            .. ResourceCharts.For(report),
        ];
    }

    /// <summary>Ours against the baseline on one scenario: the main step's throughput, p50 and p99 over time.</summary>
    public static IReadOnlyList<Chart> Compare(string name, RunReport ours, RunReport baseline)
    {
        ChartSeries Line(RunReport r, string label, Func<IntervalRow, double> value, bool withLatency) =>
            new($"{r.Target} {label}", Points(r, r.MainStep, value, withLatency));
        return
        [
            new($"{name}-throughput.svg", $"{name}: delivered per second",
                SvgChart.Render($"{name}: delivered per second, ours vs baseline", "elapsed (s)", "msgs/s",
                    [Line(ours, "", r => r.Step.OkPerSecond, false), Line(baseline, "", r => r.Step.OkPerSecond, false)])),
            new($"{name}-latency.svg", $"{name}: latency",
                SvgChart.Render($"{name}: end-to-end latency, ours vs baseline", "elapsed (s)", "ms",
                [
                    Line(ours, "p50", r => r.Step.Latency.P50, true), Line(ours, "p99", r => r.Step.Latency.P99, true),
                    Line(baseline, "p50", r => r.Step.Latency.P50, true), Line(baseline, "p99", r => r.Step.Latency.P99, true),
                ])),
        ];
    }

    private static List<(double X, double Y)> Points(RunReport report, string step, Func<IntervalRow, double> value, bool withLatency = false) =>
        [.. report.Intervals.Where(r => r.Step.Step == step && (!withLatency || r.Step.Latency.Count > 0)).Select(r => (r.ElapsedSeconds, value(r)))];
}
