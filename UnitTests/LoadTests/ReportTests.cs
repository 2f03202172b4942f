using System.Text.Json;
using System.Xml.Linq;
using Chat.LoadTests.Measurement;
using Chat.LoadTests.Reports;

namespace Chat.UnitTests.LoadTests;

public sealed class ReportTests
{
    private static readonly LatencySummary Latency = new(10, 1.5, 2, 3, 4.25, 5, 6, 1.8);

    private static RunReport Sample(string target = "ours", long rate = 100) => new()
    {
        Scenario = "fanout",
        Target = target,
        StartedUtc = new DateTimeOffset(2026, 12, 1, 21, 0, 0, TimeSpan.Zero),
        Seconds = 2,
        Parameters = [new("clients", "3"), new("odd | name", "a,b")],
        Steps = [new StepInterval("deliver", 2, 200, 1, 6400, 0, Latency), new StepInterval("send", 2, 20, 0, 0, 1280, LatencySummary.Empty)],
        Intervals =
        [
            new IntervalRow(1, 3, 12.5, 1_000_000, new StepInterval("deliver", 1, 100, 0, 3200, 0, Latency)),
            new IntervalRow(1, 3, 12.5, 1_000_000, new StepInterval("send, \"quoted\"", 1, 10, 0, 0, 640, LatencySummary.Empty)),
            new IntervalRow(2, 3, 20, 1_100_000, new StepInterval("deliver", 1, rate, 1, 3200, 0, Latency)),
        ],
        Figures = [new Figure("server CPU per delivered msg", 12.345, "µs"), new Figure("delivered msgs/s", 1234.4, "msg/s")],
        Checks = [new Check("no loss", true, "0 missing"), new Check("no duplicate", false, "2 <duplicates>")],
        MainStep = "deliver",
    };

    [Fact]
    public void Markdown_has_figures_steps_with_percentiles_and_failed_checks()
    {
        var md = MarkdownReport.Render(Sample());

        Assert.StartsWith("# fanout on ours\n", md, StringComparison.Ordinal);
        Assert.Contains("CHECKS FAILED", md, StringComparison.Ordinal);
        Assert.Contains("| server CPU per delivered msg | 12.3 | µs |", md, StringComparison.Ordinal);
        Assert.Contains("| delivered msgs/s | 1,234 | msg/s |", md, StringComparison.Ordinal);
        Assert.Contains("| deliver | 200 | 1 | 100 | 1.50 | 2.00 | 3.00 | 4.25 | 5.00 | 6.00 | 6400 | 0 |", md, StringComparison.Ordinal);
        Assert.Contains("| odd \\| name | a,b |", md, StringComparison.Ordinal);
        Assert.Contains("| no duplicate | **FAIL** | 2 <duplicates> |", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_has_one_quoted_row_per_step_interval()
    {
        var lines = CsvReport.Render(Sample()).TrimEnd('\n').Split('\n');

        Assert.Equal(CsvReport.Header, lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Equal("1,deliver,100,0,100,3200,0,1.5,2,3,4.25,5,6,3,12.5,1000000", lines[1]);
        Assert.StartsWith("1,\"send, \"\"quoted\"\"\",10,", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Json_round_trips_steps_intervals_figures_and_checks()
    {
        using var json = JsonDocument.Parse(JsonReport.Render(Sample()));
        var root = json.RootElement;

        Assert.Equal("fanout", root.GetProperty("scenario").GetString());
        Assert.Equal(3, root.GetProperty("intervals").GetArrayLength());
        Assert.Equal(4.25, root.GetProperty("steps")[0].GetProperty("latency").GetProperty("p99").GetDouble());
        Assert.Equal(12.345, root.GetProperty("figures")[0].GetProperty("value").GetDouble());
        Assert.False(root.GetProperty("passed").GetBoolean());
    }

    [Fact]
    public void Html_is_self_contained_with_inline_svg_charts_and_escaped_text()
    {
        var report = Sample();
        var html = HtmlReport.Render(report, RunCharts.For(report));

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Equal(2, CountOf(html, "<svg "));
        Assert.Contains("<polyline", html, StringComparison.Ordinal);
        Assert.Contains("2 &lt;duplicates&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Charts_are_well_formed_svg_with_one_line_per_series()
    {
        var charts = RunCharts.For(Sample());
        var throughput = XDocument.Parse(charts[0].Svg);
        var latency = XDocument.Parse(charts[1].Svg);
        XNamespace svg = "http://www.w3.org/2000/svg";

        Assert.Equal(["throughput.svg", "latency.svg"], charts.Select(c => c.FileName));
        Assert.Single(throughput.Descendants(svg + "polyline"));
        Assert.Equal(3, latency.Descendants(svg + "polyline").Count());
        var points = throughput.Descendants(svg + "polyline").Single().Attribute("points")!.Value.Split(' ');
        Assert.Equal(2, points.Length);
    }

    [Fact]
    public void Comparison_charts_put_ours_and_the_baseline_on_one_axis()
    {
        var charts = RunCharts.Compare("fanout-64", Sample(), Sample("kestrel", 80));
        XNamespace svg = "http://www.w3.org/2000/svg";

        Assert.Equal(2, XDocument.Parse(charts[0].Svg).Descendants(svg + "polyline").Count());
        Assert.Equal(4, XDocument.Parse(charts[1].Svg).Descendants(svg + "polyline").Count());
        Assert.Contains("kestrel", charts[0].Svg, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(0.7, 1)]
    [InlineData(1, 1)]
    [InlineData(1.2, 2)]
    [InlineData(3, 5)]
    [InlineData(7, 10)]
    [InlineData(12345, 20000)]
    [InlineData(double.NaN, 1)]
    public void Axis_maxima_are_one_two_or_five_times_a_power_of_ten(double value, double expected)
    {
        Assert.Equal(expected, SvgChart.NiceCeiling(value), 9);
    }

    [Fact]
    public void Comparison_ratio_is_ours_over_baseline_and_absent_without_both()
    {
        Assert.Equal(0.5, new ComparisonRow("fanout", "cpu", 5, 10, "µs").Ratio);
        Assert.Null(new ComparisonRow("fanout", "cpu", 5, null, "µs").Ratio);
        Assert.Null(new ComparisonRow("fanout", "cpu", 5, 0, "µs").Ratio);
    }

    [Fact]
    public async Task Writer_puts_every_report_and_chart_in_the_directory()
    {
        var directory = Directory.CreateTempSubdirectory("chat-report-").FullName;
        try
        {
            await ReportWriter.WriteAsync(directory, Sample());

            Assert.Equal(
                ["intervals.csv", "latency.svg", "report.html", "report.json", "report.md", "throughput.svg"],
                Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal)) count++;
        return count;
    }
}
