namespace Chat.LoadTests.Reports;

/// <summary>Writes a run's report files into a directory: report.md, intervals.csv, report.json, report.html, resources.csv when sampled, and each chart as .svg.</summary>
internal static class ReportWriter
{
    public static async Task<IReadOnlyList<Chart>> WriteAsync(string directory, RunReport report)
    {
        Directory.CreateDirectory(directory);
        var charts = RunCharts.For(report);
        await File.WriteAllTextAsync(Path.Combine(directory, "report.md"), MarkdownReport.Render(report));
        await File.WriteAllTextAsync(Path.Combine(directory, "intervals.csv"), CsvReport.Render(report));
        await File.WriteAllTextAsync(Path.Combine(directory, "report.json"), JsonReport.Render(report));
        await File.WriteAllTextAsync(Path.Combine(directory, "report.html"), HtmlReport.Render(report, charts));
        if (report.Resources.Count > 0) await File.WriteAllTextAsync(Path.Combine(directory, "resources.csv"), ResourceCsv.Render(report.Resources));
        foreach (var chart in charts) await File.WriteAllTextAsync(Path.Combine(directory, chart.FileName), chart.Svg);
        return charts;
    }
}
