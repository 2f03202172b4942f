using Chat.LoadTests.Client;
using Chat.LoadTests.Measurement;
using Chat.LoadTests.Runner;
using Chat.LoadTests.Targets;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// Two fan-out rounds of the same shape: one with every client reading, one where K extra clients connect and stop
/// reading. The readers' throughput and latency in the second round against the first show whether the slow ones
/// cost the others anything; the server's /metrics count how many it dropped.
/// </summary>
internal sealed class SlowConsumerScenario : Scenario
{
    // A small high-water mark makes a non-reader cross it within a short run; --env overrides it.
    private const string HighWaterMark = "262144";

    // On loopback the kernel grows a socket's send buffer to megabytes (tcp_wmem max 4 MiB) before the server's own
    // queue sees a byte, so the default volume per slow client (200 msg/s of 4 KiB for 8 s, 6.4 MiB) is above both.
    private const int DefaultCommentLength = 4096;

    // A pinned, tiny receive buffer stops TCP autotuning from soaking up megabytes before the server queue fills.
    private const int SlowReceiveBuffer = 4096;

    public override string Name => "slow-consumer";

    public override string MainStep => "deliver";

    public override ScenarioNeeds Needs(RunOptions options) =>
        new() { Settings = new Dictionary<string, string> { ["CHAT_HIGH_WATER_MARK_BYTES"] = HighWaterMark } };

    public override async Task RunAsync(ScenarioContext context)
    {
        var options = context.Options;
        var shape = new FanoutShape(
            options.Clients ?? 20,
            Math.Min(options.Senders ?? 4, options.Clients ?? 20),
            options.Rate ?? 200,
            options.MessageSize ?? DefaultCommentLength,
            options.Duration ?? TimeSpan.FromSeconds(8),
            options.Ramp ?? TimeSpan.FromSeconds(1));
        var slowCount = options.Slow ?? 5;
        context.Parameter("reading clients", shape.Clients);
        context.Parameter("slow clients", slowCount);
        context.Parameter("senders", shape.Senders);
        context.Parameter("rate msg/s", shape.Rate);
        context.Parameter("comment bytes", shape.CommentLength);
        context.Parameter("duration s per round", shape.Duration.TotalSeconds);
        var node = context.Deployment.Nodes[0];

        var baselineStep = context.Step("deliver all reading");
        var baseline = await FanoutRound.RunAsync(context, shape, _ => node, (_, _) => baselineStep, "all reading ");

        var before = await MetricsScraper.ScrapeAsync(node.BaseUri, context.Cancellation);
        var deliver = context.Step(MainStep);
        var slowConnect = context.Step("slow connect");
        var slow = new List<LeanWebSocket>();
        var outcome = await FanoutRound.RunAsync(context, shape, _ => node, (_, _) => deliver, "", async _ =>
        {
            for (var i = 0; i < slowCount; i++)
            {
                var socket = await Connector.ConnectAsync(context, node, $"?name=slow{i}", slowConnect, socketReceiveBuffer: SlowReceiveBuffer);
                if (socket is not null) slow.Add(socket);
            }
        });
        var after = await MetricsScraper.ScrapeAsync(node.BaseUri, context.Cancellation);
        foreach (var socket in slow)
        {
            await socket.DisposeAsync();
            context.ClientGone();
        }

        FanoutRound.Report(context, shape, baseline, "all reading: ");
        FanoutRound.Report(context, shape, outcome);
        var baselineLatency = baselineStep.LatencySoFar();
        var latency = deliver.LatencySoFar();
        context.Figure("slow clients opened", slow.Count, "clients");
        if (before is not null && after is not null)
        {
            var dropped = after.GetValueOrDefault("chat_slow_consumers_dropped_total") - before.GetValueOrDefault("chat_slow_consumers_dropped_total");
            context.Figure("slow consumers dropped (server /metrics)", dropped, "clients");
        }

        if (baseline.DeliveredPerSecond > 0) context.Figure("readers' throughput with slow / without", Math.Round(outcome.DeliveredPerSecond / baseline.DeliveredPerSecond, 3), "ratio");
        if (baselineLatency.P99 > 0) context.Figure("readers' p99 with slow / without", Math.Round(latency.P99 / baselineLatency.P99, 3), "ratio");
        if (baselineLatency.P50 > 0) context.Figure("readers' p50 with slow / without", Math.Round(latency.P50 / baselineLatency.P50, 3), "ratio");
    }
}
