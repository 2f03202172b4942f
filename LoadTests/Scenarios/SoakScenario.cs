using System.Globalization;
using Chat.LoadTests.Measurement;
using Chat.LoadTests.Runner;
using Chat.LoadTests.Targets;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// Everything at once for a long time: a fan-out throughout, churning clients with <c>since=</c>, and cycles of slow
/// readers, a connection flood up to the server's cap, half-open connections and oversized frames. The server's RSS,
/// open descriptors, threads and managed heap are sampled every second; the run fails when any of them still grows in
/// the second half (the first is warm-up), or when any message is lost, duplicated or out of order.
/// </summary>
internal sealed class SoakScenario : Scenario
{
    /// <summary>The cap the soak gives the server unless <c>--env CHAT_MAX_CONNECTIONS</c> says otherwise.</summary>
    public const int DefaultMaxConnections = 1000;

    // The half-open flood waits for the head deadline every cycle; the default 10 s would make cycles mostly waiting.
    private const int DefaultHeadTimeoutSeconds = 5;

    // The sweeper checks deadlines once a second, and a loaded box may run it late: wait this much past the deadline.
    private static readonly TimeSpan HalfOpenSlack = TimeSpan.FromSeconds(10);

    public override string Name => "soak";

    public override string MainStep => "deliver";

    public override ScenarioNeeds Needs(RunOptions options) => new()
    {
        Settings = new Dictionary<string, string>
        {
            ["CHAT_MAX_CONNECTIONS"] = DefaultMaxConnections.ToString(CultureInfo.InvariantCulture),
            ["CHAT_HEAD_TIMEOUT_SECONDS"] = DefaultHeadTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
        },
    };

    public override async Task RunAsync(ScenarioContext context)
    {
        var options = context.Options;
        var shape = SoakShape.From(options);
        var headTimeout = double.TryParse(options.Settings.GetValueOrDefault("CHAT_HEAD_TIMEOUT_SECONDS"), CultureInfo.InvariantCulture, out var seconds)
            ? seconds : DefaultHeadTimeoutSeconds;
        context.Parameter("duration s", shape.Fanout.Duration.TotalSeconds);
        context.Parameter("fan-out clients", shape.Fanout.Clients);
        context.Parameter("fan-out senders", shape.Fanout.Senders);
        context.Parameter("fan-out rate msg/s", shape.Fanout.Rate);
        context.Parameter("churning clients", shape.Churners);
        context.Parameter("slow readers per cycle", shape.SlowReaders);
        context.Parameter("flood connections at most", shape.FloodConnections);
        context.Parameter("server connection cap", options.Settings.GetValueOrDefault("CHAT_MAX_CONNECTIONS", DefaultMaxConnections.ToString(CultureInfo.InvariantCulture)));
        context.Parameter("half-open per cycle", shape.HalfOpen);
        context.Parameter("oversized frames per cycle", shape.Oversized);
        context.Parameter("head deadline s", headTimeout);

        var node = context.Deployment.Nodes[0];
        var sampler = node.ProcessId is { } id ? new ResourceSampler(id, node.BaseUri) : null;
        using var stopSampling = new CancellationTokenSource();
        var sampling = sampler?.RunAsync(stopSampling.Token) ?? Task.CompletedTask;
        var before = await MetricsScraper.ScrapeAsync(node.BaseUri, context.Cancellation);
        var tally = new SoakTally();
        var cycles = new SoakCycles(context, node, shape, sampler, tally);
        var churn = new SoakChurn(context, node, shape.Churners, shape.Fanout.CommentLength);
        var deliver = context.Step(MainStep);
        var outcome = await FanoutRound.RunAsync(context, shape.Fanout, _ => node, (_, _) => deliver, "", _ => Task.WhenAll(
            churn.RunAsync(shape.Fanout.Duration),
            cycles.RunAsync(shape.Fanout.Duration, TimeSpan.FromSeconds(headTimeout) + HalfOpenSlack)));
        await stopSampling.CancelAsync();
        await sampling;
        var after = await MetricsScraper.ScrapeAsync(node.BaseUri, context.Cancellation);

        FanoutRound.Report(context, shape.Fanout, outcome);
        context.Check("no fan-out client closed by the server", outcome.ClosedByServer == 0, $"{outcome.ClosedByServer} closed");
        SoakVerdict.ReportFloods(context, tally, before, after);
        if (sampler is null)
        {
            context.Check("server resources sampled", false, "needs a server the runner starts (--target ours), to read its /proc");
            return;
        }

        context.Resources = sampler.Samples;
        SoakVerdict.ReportResources(context, sampler.Samples, sampler.Windows);
    }
}
