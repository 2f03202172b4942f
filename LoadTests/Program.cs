using Chat.LoadTests.Reports;
using Chat.LoadTests.Runner;
using Chat.LoadTests.Targets;
using Spectre.Console;

Command command;
try
{
    command = CommandLine.Parse(args);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message}\nsee: LoadTests --help");
    return 2;
}

// Redirected output (CI logs, build.sh) would otherwise be laid out for 80 columns and wrap every table row.
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160;

using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupted.Cancel();
};

try
{
    switch (command)
    {
        case Command.Run run:
        {
            var report = await ScenarioRunner.RunAsync(run.Options, new LiveProgress(run.Options.Live), interrupted.Token);
            var directory = run.Options.Out ?? Path.Combine("artifacts", "loadtest", run.Options.Scenario);
            await ReportWriter.WriteAsync(directory, report);
            ConsoleReport.Write(report);
            Console.WriteLine($"reports: {Path.GetFullPath(directory)}");
            return report.Passed ? 0 : 1;
        }
        case Command.Bench bench:
        {
            var report = await BenchRunner.RunAsync(bench.Options, new LiveProgress(bench.Options.Live), interrupted.Token);
            ConsoleReport.Write(report);
            Console.WriteLine($"reports: {Path.GetFullPath(bench.Options.Out)}");
            return report.Entries.All(e => e.Report?.Passed ?? true) ? 0 : 1;
        }
        default:
            Console.WriteLine(CommandLine.Usage);
            return 0;
    }
}
catch (TargetUnavailableException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
{
    Console.Error.WriteLine("interrupted");
    return 130;
}
