using Chat.LoadTests.Reports;
using Chat.LoadTests.Scenarios;
using Chat.LoadTests.Targets;

namespace Chat.LoadTests.Runner;

/// <summary>
/// Runs one scenario against its target: launches the target, samples every step once a second, bounds the run in
/// time, and hands back the report.
/// </summary>
internal static class ScenarioRunner
{
    // Room beyond the requested duration for ramps, drains and target start-up; past it the run is cancelled.
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(120);

    public static async Task<RunReport> RunAsync(RunOptions options, LiveProgress progress, CancellationToken cancellation)
    {
        ResourceLimits.RaiseOpenFiles();
        var scenario = Scenario.Create(options.Scenario);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        bound.CancelAfter((options.Duration ?? TimeSpan.FromSeconds(30)) * 3 + (options.Ramp ?? TimeSpan.Zero) + Margin);

        await using var deployment = await TargetLauncher.LaunchAsync(options, scenario.Needs(options), bound.Token);
        progress.Note($"{options.Scenario}: {string.Join(", ", deployment.Nodes.Select(n => $"{n.Name} at {n.BaseUri}"))}");
        var context = new ScenarioContext(options, deployment, bound.Token);
        var started = DateTimeOffset.UtcNow;
        var sampler = new IntervalSampler(context, scenario, progress);
        using var stopSampling = new CancellationTokenSource();
        var sampling = sampler.RunAsync(stopSampling.Token);
        try
        {
            await scenario.RunAsync(context);
        }
        finally
        {
            await stopSampling.CancelAsync();
            await sampling;
        }

        sampler.Take();
        var seconds = sampler.Elapsed.TotalSeconds;
        return new RunReport
        {
            Scenario = options.Scenario,
            Target = deployment.Label,
            StartedUtc = started,
            Seconds = Math.Round(seconds, 2),
            Parameters = context.Parameters,
            Steps = [.. context.Steps.Select(s => s.Total(seconds))],
            Intervals = sampler.Rows,
            Figures = context.Figures,
            Checks = context.Checks,
            MainStep = scenario.MainStep,
            Resources = context.Resources,
        };
    }
}
