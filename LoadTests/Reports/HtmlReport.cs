using System.Net;
using System.Text;

namespace Chat.LoadTests.Reports;

/// <summary>A self-contained HTML page: inline CSS, the charts as inline SVG, the tables. No script, no external reference.</summary>
internal static class HtmlReport
{
    private const string Style = """
        body{font-family:sans-serif;margin:2em;color:#222;max-width:1100px}
        table{border-collapse:collapse;margin:1em 0}
        th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
        th:first-child,td:first-child{text-align:left}
        .fail{color:#b00;font-weight:bold}.pass{color:#070}
        figure{margin:1em 0}
        """;

    public static string Render(RunReport report, IReadOnlyList<Chart> charts)
    {
        var html = Start(report.Title);
        html.Append($"<p>Started {report.StartedUtc:yyyy-MM-dd HH:mm:ss} UTC, {Format.Number(report.Seconds)} s, ")
            .Append(report.Passed ? "<span class=\"pass\">all checks passed</span>" : "<span class=\"fail\">checks failed</span>").Append(".</p>\n");
        AppendRun(html, report, charts);
        return End(html);
    }

    public static string Render(BenchReport bench, IReadOnlyList<Chart> comparisonCharts, IReadOnlyDictionary<string, IReadOnlyList<Chart>> runCharts)
    {
        var html = Start("Load test bench: ours against the Kestrel baseline");
        html.Append($"<p>Started {bench.StartedUtc:yyyy-MM-dd HH:mm:ss} UTC, {Format.Number(bench.Seconds)} s.</p>\n");
        html.Append("<h2>Ours against the baseline</h2>\n<table><tr><th>scenario</th><th>metric</th><th>ours</th><th>baseline</th><th>unit</th><th>ours / baseline</th></tr>\n");
        foreach (var row in bench.Comparisons)
        {
            html.Append($"<tr><td>{E(row.Scenario)}</td><td>{E(row.Metric)}</td><td>{Value(row.Ours)}</td><td>{Value(row.Baseline)}</td><td>{E(row.Unit)}</td><td>{Format.Ratio(row.Ratio)}</td></tr>\n");
        }

        html.Append("</table>\n");
        foreach (var chart in comparisonCharts) html.Append("<figure>").Append(chart.Svg).Append("</figure>\n");
        foreach (var entry in bench.Entries)
        {
            html.Append($"<h2>{E(entry.Name)} on {E(entry.Target)}</h2>\n");
            if (entry.Report is null)
            {
                html.Append($"<p class=\"fail\">skipped: {E(entry.Skipped ?? "")}</p>\n");
                continue;
            }

            AppendRun(html, entry.Report, runCharts.GetValueOrDefault(entry.Name, []));
        }

        return End(html);
    }

    private static void AppendRun(StringBuilder html, RunReport report, IReadOnlyList<Chart> charts)
    {
        if (report.Parameters.Count > 0)
        {
            html.Append("<table><tr><th>parameter</th><th>value</th></tr>\n");
            foreach (var (name, value) in report.Parameters) html.Append($"<tr><td>{E(name)}</td><td>{E(value)}</td></tr>\n");
            html.Append("</table>\n");
        }

        html.Append("<table><tr><th>figure</th><th>value</th><th>unit</th></tr>\n");
        foreach (var f in report.Figures) html.Append($"<tr><td>{E(f.Name)}</td><td>{Format.Number(f.Value)}</td><td>{E(f.Unit)}</td></tr>\n");
        html.Append("</table>\n");
        foreach (var chart in charts) html.Append("<figure>").Append(chart.Svg).Append("</figure>\n");
        html.Append("<table><tr><th>step</th><th>ok</th><th>failed</th><th>ok/s</th><th>p50 ms</th><th>p75 ms</th><th>p95 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th><th>bytes in</th><th>bytes out</th></tr>\n");
        foreach (var s in report.Steps)
        {
            var l = s.Latency;
            html.Append($"<tr><td>{E(s.Step)}</td><td>{s.Ok}</td><td>{s.Failed}</td><td>{Format.Number(s.OkPerSecond)}</td><td>{Format.Ms(l.P50)}</td><td>{Format.Ms(l.P75)}</td><td>{Format.Ms(l.P95)}</td><td>{Format.Ms(l.P99)}</td><td>{Format.Ms(l.P999)}</td><td>{Format.Ms(l.Max)}</td><td>{s.BytesIn}</td><td>{s.BytesOut}</td></tr>\n");
        }

        html.Append("</table>\n<table><tr><th>check</th><th>result</th><th>detail</th></tr>\n");
        foreach (var c in report.Checks)
        {
            html.Append($"<tr><td>{E(c.Name)}</td><td class=\"{(c.Passed ? "pass" : "fail")}\">{(c.Passed ? "pass" : "FAIL")}</td><td>{E(c.Detail)}</td></tr>\n");
        }

        html.Append("</table>\n");
    }

    private static StringBuilder Start(string title) =>
        new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(E(title)).Append("</title><style>").Append(Style).Append("</style></head><body>\n<h1>").Append(E(title)).Append("</h1>\n");

    private static string End(StringBuilder html) => html.Append("</body></html>\n").ToString();

    private static string Value(double? value) => value is { } v ? Format.Number(v) : "–";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
