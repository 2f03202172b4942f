using Spectre.Console;

namespace Chat.LoadTests.Reports;

/// <summary>The end-of-run tables on the console: steps, figures, checks.</summary>
internal static class ConsoleReport
{
    public static void Write(RunReport report)
    {
        var steps = new Table().Title(Markup.Escape(report.Title));
        foreach (var column in (string[])["step", "ok", "failed", "ok/s", "p50 ms", "p75 ms", "p95 ms", "p99 ms", "p99.9 ms", "max ms"]) steps.AddColumn(column);
        foreach (var s in report.Steps)
        {
            var l = s.Latency;
            steps.AddRow(Markup.Escape(s.Step), s.Ok.ToString(System.Globalization.CultureInfo.InvariantCulture), s.Failed.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Format.Number(s.OkPerSecond), Format.Ms(l.P50), Format.Ms(l.P75), Format.Ms(l.P95), Format.Ms(l.P99), Format.Ms(l.P999), Format.Ms(l.Max));
        }

        AnsiConsole.Write(steps);
        var figures = new Table().AddColumn("figure").AddColumn("value").AddColumn("unit");
        foreach (var f in report.Figures) figures.AddRow(Markup.Escape(f.Name), Format.Number(f.Value), Markup.Escape(f.Unit));
        AnsiConsole.Write(figures);
        foreach (var c in report.Checks)
        {
            AnsiConsole.MarkupLine($"{(c.Passed ? "[green]pass[/]" : "[red]FAIL[/]")} {Markup.Escape(c.Name)}: {Markup.Escape(c.Detail)}");
        }
    }

    public static void Write(BenchReport bench)
    {
        var table = new Table().Title("ours against the baseline").AddColumn("scenario").AddColumn("metric").AddColumn("ours").AddColumn("baseline").AddColumn("unit").AddColumn("ours / baseline");
        foreach (var row in bench.Comparisons)
        {
            table.AddRow(Markup.Escape(row.Scenario), Markup.Escape(row.Metric), row.Ours is { } o ? Format.Number(o) : "–",
                row.Baseline is { } b ? Format.Number(b) : "–", Markup.Escape(row.Unit), Format.Ratio(row.Ratio));
        }

        AnsiConsole.Write(table);
        foreach (var entry in bench.Entries.Where(e => e.Report is null))
        {
            AnsiConsole.MarkupLine($"[yellow]skipped[/] {Markup.Escape(entry.Name)} on {Markup.Escape(entry.Target)}: {Markup.Escape(entry.Skipped ?? "")}");
        }
    }
}
