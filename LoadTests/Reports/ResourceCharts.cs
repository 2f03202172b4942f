using Chat.LoadTests.Measurement;

namespace Chat.LoadTests.Reports;

/// <summary>The server's sampled resources over a run (soak): memory, descriptors and connections, threads.</summary>
internal static class ResourceCharts
{
    private const double MiB = 1024 * 1024;

    public static IReadOnlyList<Chart> For(RunReport report)
    {
        var samples = report.Resources;
        if (samples.Count == 0) return [];
        return
        [
            Render("memory.svg", $"{report.Title}: server memory", "MiB",
                new("RSS", Points(samples, s => s.RssBytes / MiB)), new("GC heap after last GC", Points(samples, s => s.HeapBytes / MiB)),
                new("managed memory in use", Points(samples, s => s.ManagedBytes / MiB))),
            Render("descriptors.svg", $"{report.Title}: server descriptors and connections", "count",
                new("open descriptors", Points(samples, s => s.OpenFiles)), new("connections (/metrics)", Points(samples, s => s.Connections))),
            Render("threads.svg", $"{report.Title}: server threads", "threads", new ChartSeries("threads", Points(samples, s => s.Threads))),
        ];
    }

    private static Chart Render(string file, string title, string unit, params ChartSeries[] series) =>
        new(file, title, SvgChart.Render(title, "elapsed (s)", unit, series));

    private static List<(double X, double Y)> Points(IReadOnlyList<ResourceSample> samples, Func<ResourceSample, double?> value) =>
        [.. samples.Where(s => value(s) is not null).Select(s => (s.ElapsedSeconds, value(s)!.Value))];
}
