using System.Diagnostics;
using Chat.LoadTests.Reports;
using Chat.LoadTests.Scenarios;

namespace Chat.LoadTests.Runner;

/// <summary>
/// Once a second takes every step's interval, with the server's CPU (percent of one core over the interval) and RSS
/// at that moment, and shows the main step's row as live progress.
/// </summary>
internal sealed class IntervalSampler(ScenarioContext context, Scenario scenario, LiveProgress progress)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<IntervalRow> _rows = [];
    private TimeSpan _lastCpu = context.ServerSample().Cpu;
    private TimeSpan _lastTick;

    public IReadOnlyList<IntervalRow> Rows => _rows;

    public TimeSpan Elapsed => _clock.Elapsed;

    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                if (Take() is { } main) progress.Interval(scenario.Name, main);
            }
        }
        catch (OperationCanceledException)
        {
            // The scenario finished; the caller takes the last partial interval.
        }
    }

    /// <summary>Takes one interval of every step; returns the main step's row.</summary>
    public IntervalRow? Take()
    {
        var now = _clock.Elapsed;
        var seconds = (now - _lastTick).TotalSeconds;
        if (seconds < 0.05) return null;
        var server = context.ServerSample();
        var cpuPercent = context.ServerMeasurable ? (server.Cpu - _lastCpu).TotalSeconds / seconds * 100 : 0;
        _lastCpu = server.Cpu;
        _lastTick = now;
        IntervalRow? main = null;
        foreach (var step in context.Steps)
        {
            var row = new IntervalRow(Math.Round(now.TotalSeconds, 2), context.Clients, Math.Round(cpuPercent, 1), server.RssBytes, step.TakeInterval(seconds));
            _rows.Add(row);
            if (step.Name == scenario.MainStep) main = row;
        }

        return main;
    }
}
