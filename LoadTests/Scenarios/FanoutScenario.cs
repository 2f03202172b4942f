using Chat.LoadTests.Runner;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// C clients, S of them sending at R messages/s in total: every client must get every message once, in each
/// sender's order; end-to-end latency per delivery; the server's CPU time per delivered message.
/// </summary>
internal sealed class FanoutScenario : Scenario
{
    public override string Name => "fanout";

    public override string MainStep => "deliver";

    public static FanoutShape Shape(RunOptions options) => new(
        options.Clients ?? 100,
        Math.Min(options.Senders ?? 10, options.Clients ?? 100),
        options.Rate ?? 100,
        options.MessageSize ?? 64,
        options.Duration ?? TimeSpan.FromSeconds(15),
        options.Ramp ?? TimeSpan.FromSeconds(2));

    public override async Task RunAsync(ScenarioContext context)
    {
        var shape = Shape(context.Options);
        context.Parameter("clients", shape.Clients);
        context.Parameter("senders", shape.Senders);
        context.Parameter("rate msg/s", shape.Rate);
        context.Parameter("comment bytes", shape.CommentLength);
        context.Parameter("duration s", shape.Duration.TotalSeconds);
        var rooms = context.Options.Rooms ?? 1;
        context.Parameter("rooms", rooms);
        var node = context.Deployment.Nodes[0];
        var warmup = context.Options.Warmup ?? Scenario.DefaultWarmup;
        context.Parameter("warm-up s", warmup.TotalSeconds);
        if (warmup > TimeSpan.Zero)
        {
            var warming = context.Step("warm-up deliver");
            await FanoutRound.RunAsync(context, shape with { Duration = warmup }, _ => node, (_, _) => warming, "warm-up ", rooms: rooms);
        }

        var deliver = context.Step(MainStep);
        var outcome = await FanoutRound.RunAsync(context, shape, _ => node, (_, _) => deliver, rooms: rooms);
        FanoutRound.Report(context, shape, outcome, rooms: rooms);
    }
}
