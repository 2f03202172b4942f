using System.Globalization;
using Chat.LoadTests.Reports;
using Spectre.Console;

namespace Chat.LoadTests.Runner;

/// <summary>One line per interval while a run goes: elapsed, clients, the main step's rate and p99, server CPU.</summary>
internal sealed class LiveProgress(bool enabled)
{
    public void Interval(string scenario, IntervalRow row)
    {
        if (!enabled) return;
        var step = row.Step;
        AnsiConsole.MarkupLineInterpolated(CultureInfo.InvariantCulture,
            $"[grey]{scenario}[/] [bold]{row.ElapsedSeconds,4:F0} s[/] clients {row.Clients,5} {step.Step} [green]{step.OkPerSecond,7:F0}/s[/] failed {step.Failed} p99 [yellow]{step.Latency.P99:F1} ms[/] server cpu {row.ServerCpuPercent:F0} %");
    }

    public void Note(string text)
    {
        if (enabled) AnsiConsole.MarkupLineInterpolated($"[grey]{text}[/]");
    }
}
