using Chat.LoadTests.Runner;
using Chat.LoadTests.Targets;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// Two nodes on one PostgreSQL. First a fan-out round on one node alone, then the same shape with clients and senders
/// alternating between the nodes: deliveries whose sender sits on the other node are the cross-node ones. Their
/// latency and the round's throughput are reported against the single-node round of the same run.
/// </summary>
internal sealed class CrossNodeScenario : Scenario
{
    public override string Name => "cross-node";

    public override string MainStep => "deliver cross-node";

    public override ScenarioNeeds Needs(RunOptions options) => new(Nodes: 2, Postgres: true);

    public override async Task RunAsync(ScenarioContext context)
    {
        var shape = FanoutScenario.Shape(context.Options with
        {
            Clients = context.Options.Clients ?? 40,
            Senders = context.Options.Senders ?? 4,
            Duration = context.Options.Duration ?? TimeSpan.FromSeconds(10),
        });
        context.Parameter("clients", shape.Clients);
        context.Parameter("senders", shape.Senders);
        context.Parameter("rate msg/s", shape.Rate);
        context.Parameter("comment bytes", shape.CommentLength);
        context.Parameter("duration s per round", shape.Duration.TotalSeconds);
        var nodes = context.Deployment.Nodes;

        var single = context.Step("deliver single-node");
        var alone = await FanoutRound.RunAsync(context, shape, _ => nodes[0], (_, _) => single, "single-node ");

        var same = context.Step("deliver same-node");
        var cross = context.Step(MainStep);
        TargetNode NodeOf(int client) => nodes[client % 2];
        var spread = await FanoutRound.RunAsync(context, shape, NodeOf,
            (client, tag) => NodeOf(client) == NodeOf(tag.Sender) ? same : cross, "two-node ");

        FanoutRound.Report(context, shape, alone, "single node: ");
        FanoutRound.Report(context, shape, spread, "two nodes: ");
        var singleLatency = single.LatencySoFar();
        var crossLatency = cross.LatencySoFar();
        context.Figure("single-node p50", singleLatency.P50, "ms");
        context.Figure("single-node p99", singleLatency.P99, "ms");
        context.Figure("cross-node p50", crossLatency.P50, "ms");
        context.Figure("cross-node p99", crossLatency.P99, "ms");
        if (singleLatency.P50 > 0) context.Figure("cross-node p50 / single-node p50", Math.Round(crossLatency.P50 / singleLatency.P50, 3), "ratio");
        if (singleLatency.P99 > 0) context.Figure("cross-node p99 / single-node p99", Math.Round(crossLatency.P99 / singleLatency.P99, 3), "ratio");
        if (alone.DeliveredPerSecond > 0) context.Figure("two-node / single-node throughput", Math.Round(spread.DeliveredPerSecond / alone.DeliveredPerSecond, 3), "ratio");
        context.Check("cross-node deliveries happened", crossLatency.Count > 0, $"{crossLatency.Count} deliveries across nodes");
    }
}
