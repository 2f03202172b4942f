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
            $"[grey]{scenario,-13}[/] [bold]{row.ElapsedSeconds,5:F0} s[/]  clients {row.Clients,6}  {step.Step} [green]{step.OkPerSecond,9:F0}/s[/]  failed {step.Failed,4}  p99 [yellow]{step.Latency.P99,8:F2} ms[/]  server cpu {row.ServerCpuPercent,5:F0} %");
    }

    public void Note(string text)
    {
        if (enabled) AnsiConsole.MarkupLineInterpolated($"[grey]{text}[/]");
    }
}
