using System.Xml.Linq;
using Chat.LoadTests.Measurement;
using Chat.LoadTests.Reports;

namespace Chat.UnitTests.LoadTests;

/// <summary>The soak's growth verdict: a leak fails however the load saws the series; a flat floor passes.</summary>
public sealed class SoakResourceTrendTests
{
    // Ten cycles of 10 s: the first five are warm-up.
    private static readonly double[] Windows = [.. Enumerable.Range(0, 11).Select(i => i * 10.0)];

    /// <summary>One sample a second: <paramref name="floor"/> at rest, and a flood's peak of +500 for 3 s of every 10.</summary>
    private static List<(double X, double Y)> Sawtooth(Func<double, double> floor) =>
        [.. Enumerable.Range(0, 100).Select(t => ((double)t, floor(t) + (t % 10 is >= 2 and < 5 ? 500 : 0)))];

    [Fact]
    public void A_flat_floor_under_flood_peaks_passes()
    {
        var trend = ResourceTrend.Measure("fds", "fds", Sawtooth(_ => 100), Windows, absoluteTolerance: 5, relativeTolerance: 0);

        Assert.True(trend.Passed, $"growth {trend.Growth}");
        Assert.Equal(5, trend.Points);
        Assert.Equal(0, trend.Growth, 9);
        Assert.Equal(100, trend.First);
    }

    [Fact]
    public void A_floor_that_climbs_one_step_a_cycle_fails()
    {
        var trend = ResourceTrend.Measure("fds", "fds", Sawtooth(t => 100 + Math.Floor(t / 10)), Windows, absoluteTolerance: 4, relativeTolerance: 0);

        Assert.False(trend.Passed);
        Assert.Equal(5, trend.Growth, 6);
        Assert.Equal(6, trend.SlopePerMinute, 6);
    }

    [Fact]
    public void Growth_during_warm_up_alone_passes()
    {
        var trend = ResourceTrend.Measure("rss", "MiB", Sawtooth(t => 40 + Math.Min(t, 50)), Windows, absoluteTolerance: 1, relativeTolerance: 0);

        Assert.True(trend.Passed, $"growth {trend.Growth}");
        Assert.Equal(90, trend.First);
    }

    [Fact]
    public void The_tolerance_is_the_larger_of_the_floor_and_the_fraction_of_the_level()
    {
        var growing = Sawtooth(t => 1000 + t);

        Assert.Equal(105, ResourceTrend.Measure("rss", "MiB", growing, Windows, 10, 0.1).Tolerance, 6);
        Assert.True(ResourceTrend.Measure("rss", "MiB", growing, Windows, 10, 0.1).Passed);
        Assert.False(ResourceTrend.Measure("rss", "MiB", growing, Windows, 10, 0.01).Passed);
    }

    [Fact]
    public void Too_few_cycles_to_judge_fail()
    {
        var trend = ResourceTrend.Measure("rss", "MiB", Sawtooth(_ => 1), [0, 10], 100, 1);

        Assert.Equal(0, trend.Points);
        Assert.False(trend.Passed);
    }

    [Fact]
    public void Resource_samples_become_memory_descriptor_and_thread_charts_and_a_csv()
    {
        var report = new RunReport
        {
            Scenario = "soak", Target = "ours", StartedUtc = DateTimeOffset.UnixEpoch, Seconds = 2, Parameters = [], Steps = [], Intervals = [],
            Figures = [], Checks = [], MainStep = "deliver",
            Resources = [new ResourceSample(1, 50 << 20, 120, 20, 8 << 20, 12 << 20, 40), new ResourceSample(2, 51 << 20, 121, 20, null, null, null)],
        };

        var charts = RunCharts.For(report);
        XNamespace svg = "http://www.w3.org/2000/svg";

        Assert.Equal(["throughput.svg", "latency.svg", "memory.svg", "descriptors.svg", "threads.svg"], charts.Select(c => c.FileName));
        Assert.Equal(3, XDocument.Parse(charts[2].Svg).Descendants(svg + "polyline").Count());
        Assert.Equal(2, XDocument.Parse(charts[3].Svg).Descendants(svg + "polyline").Count());
        var csv = ResourceCsv.Render(report.Resources).TrimEnd('\n').Split('\n');
        Assert.Equal([ResourceCsv.Header, "1,52428800,120,20,8388608,12582912,40", "2,53477376,121,20,,,"], csv);
    }
}
