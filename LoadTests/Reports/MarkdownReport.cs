using System.Text;

namespace Chat.LoadTests.Reports;

/// <summary>A run as Markdown: parameters, headline figures, per-step statistics, checks.</summary>
internal static class MarkdownReport
{
    public static string Render(RunReport report)
    {
        var md = new StringBuilder();
        md.Append("# ").Append(report.Title).Append("\n\n");
        md.Append($"Started {report.StartedUtc:yyyy-MM-dd HH:mm:ss} UTC, {Format.Number(report.Seconds)} s, {(report.Passed ? "all checks passed" : "CHECKS FAILED")}.\n\n");
        if (report.Parameters.Count > 0)
        {
            md.Append("| parameter | value |\n| --- | --- |\n");
            foreach (var (name, value) in report.Parameters) md.Append($"| {Cell(name)} | {Cell(value)} |\n");
            md.Append('\n');
        }

        AppendFigures(md, report.Figures);
        AppendSteps(md, report);
        if (report.Checks.Count > 0)
        {
            md.Append("| check | result | detail |\n| --- | --- | --- |\n");
            foreach (var check in report.Checks) md.Append($"| {Cell(check.Name)} | {(check.Passed ? "pass" : "**FAIL**")} | {Cell(check.Detail)} |\n");
            md.Append('\n');
        }

        return md.ToString();
    }

    public static void AppendFigures(StringBuilder md, IReadOnlyList<Figure> figures)
    {
        if (figures.Count == 0) return;
        md.Append("| figure | value | unit |\n| --- | ---: | --- |\n");
        foreach (var figure in figures) md.Append($"| {Cell(figure.Name)} | {Format.Number(figure.Value)} | {Cell(figure.Unit)} |\n");
        md.Append('\n');
    }

    public static void AppendSteps(StringBuilder md, RunReport report)
    {
        md.Append("| step | ok | failed | ok/s | p50 ms | p75 ms | p95 ms | p99 ms | p99.9 ms | max ms | bytes in | bytes out |\n");
        md.Append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var s in report.Steps)
        {
            var l = s.Latency;
            md.Append($"| {Cell(s.Step)} | {s.Ok} | {s.Failed} | {Format.Number(s.OkPerSecond)} | {Format.Ms(l.P50)} | {Format.Ms(l.P75)} | {Format.Ms(l.P95)} | {Format.Ms(l.P99)} | {Format.Ms(l.P999)} | {Format.Ms(l.Max)} | {s.BytesIn} | {s.BytesOut} |\n");
        }

        md.Append('\n');
    }

    public static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ');
}
