using System.Diagnostics;
using Chat.LoadTests.Client;
using Chat.LoadTests.Measurement;
using Chat.LoadTests.Runner;
using Chat.LoadTests.Targets;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// One fan-out round, shared by fanout, slow-consumer and cross-node: ramp the clients up, let the first S of them
/// send at the shape's rate, drain until every message reached every client (or a deadline), close, and add up what
/// the receivers checked. CPU of the server and of this process is read over the send-and-drain window only.
/// </summary>
internal static class FanoutRound
{
    // Generous: on a loaded 2-core box a backlog can take many seconds to drain, and a short wait would read as loss.
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    /// <param name="context">The run.</param>
    /// <param name="shape">The load.</param>
    /// <param name="nodeOf">Which node client i talks to.</param>
    /// <param name="stepFor">The step a delivery to client i of a message is recorded into.</param>
    /// <param name="prefix">Prefix of this round's step names.</param>
    /// <param name="duringSend">Started with the senders (slow-consumer opens its non-readers there).</param>
    /// <param name="rooms">Client i joins room i mod rooms (1: everyone in general); a message goes to its room only.</param>
    public static async Task<FanoutOutcome> RunAsync(ScenarioContext context, FanoutShape shape, Func<int, TargetNode> nodeOf,
        Func<int, PayloadTag, StepStats> stepFor, string prefix = "", Func<CancellationToken, Task>? duringSend = null, int rooms = 1)
    {
        var connect = context.Step(prefix + "connect");
        var send = context.Step(prefix + "send");
        var counter = new DeliveryCounter();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
        var plan = new LoadPlan(new LoadSimulation.RampTo(shape.Clients, shape.Ramp));
        var loops = new List<Task>();
        var receivers = await Connector.StartAllAsync(context, plan.StartOf, shape.Clients, async i =>
        {
            var query = rooms > 1 ? $"?name=load{i}&room=load{i % rooms}" : $"?name=load{i}";
            var socket = await Connector.ConnectAsync(context, nodeOf(i), query, connect);
            if (socket is null) return null;
            var receiver = new DeliveryReceiver(socket, context.RunId, tag => stepFor(i, tag), counter);
            lock (loops) loops.Add(receiver.RunAsync(stop.Token));
            return receiver;
        });

        var senders = receivers.Take(shape.Senders)
            .Select((r, s) => new PacedSender(r.Socket, context.RunId, s, shape.CommentLength, send))
            .ToList();
        var serverBefore = context.ServerSample();
        var clientBefore = ProcessStats.ReadSelf();
        var window = Stopwatch.StartNew();
        var extra = duringSend?.Invoke(stop.Token) ?? Task.CompletedTask;
        var perSender = senders.Count > 0 ? shape.Rate / senders.Count : 0;
        await Task.WhenAll(senders.Select(s => s.RunAsync(perSender, shape.Duration, context.Cancellation)));
        var sent = senders.Sum(s => s.Sent);
        // Sender s is client s: its messages go to the open clients of room s mod rooms.
        var roomOf = receivers.Select((r, i) => (Receiver: r, Room: i % rooms)).ToDictionary(x => x.Receiver, x => x.Room);
        long Expected() => senders.Sum(s => s.Sent * receivers.Count(r => !r.ClosedByServer && roomOf[r] == s.SenderId % rooms));
        await counter.WaitForAsync(Expected, DrainTimeout, context.Cancellation);
        var seconds = window.Elapsed.TotalSeconds;
        var serverAfter = context.ServerSample();
        var serverCpu = serverAfter.Cpu - serverBefore.Cpu;
        var clientCpu = ProcessStats.ReadSelf().Cpu - clientBefore.Cpu;

        await stop.CancelAsync();
        await Task.WhenAll(loops);
        await extra;
        await Task.WhenAll(receivers.Select(r => r.Socket.CloseAsync(context.Cancellation)));
        foreach (var receiver in receivers)
        {
            await receiver.Socket.DisposeAsync();
            context.ClientGone();
        }

        var open = receivers.Where(r => !r.ClosedByServer).ToList();
        return new FanoutOutcome(
            receivers.Count,
            sent,
            Expected(),
            counter.Count,
            open.Sum(r => r.Sequences.Losses(senders.Where(s => s.SenderId % rooms == roomOf[r]).ToDictionary(s => s.SenderId, s => s.Sent))),
            receivers.Sum(r => r.Sequences.Duplicates),
            receivers.Sum(r => r.Sequences.OutOfOrder),
            receivers.Sum(r => r.IdOrderViolations),
            receivers.Count - open.Count,
            seconds,
            serverCpu,
            clientCpu,
            serverAfter.WriteCalls - serverBefore.WriteCalls);
    }

    /// <summary>The figures and checks every fan-out round reports, names prefixed for rounds that run twice.</summary>
    public static void Report(ScenarioContext context, FanoutShape shape, FanoutOutcome outcome, string prefix = "", int rooms = 1)
    {
        context.Figure(prefix + "delivered msgs/s", Math.Round(outcome.DeliveredPerSecond, 1), "msg/s");
        context.Figure(prefix + "offered deliveries/s", shape.OfferedDeliveries(rooms), "msg/s");
        context.Figure(prefix + "messages sent", outcome.Sent, "msg");
        context.Figure(prefix + "messages delivered", outcome.Delivered, "msg");
        if (context.ServerMeasurable)
        {
            context.Figure(prefix + "server CPU per delivered msg", Math.Round(outcome.ServerCpuMicrosPerDelivery, 3), "µs");
            context.Figure(prefix + "server CPU", Math.Round(outcome.ServerCpu.TotalSeconds / outcome.WindowSeconds * 100, 1), "% of a core");
            context.Figure(prefix + "server write/writev calls per delivered msg", Math.Round(outcome.ServerWriteCallsPerDelivery, 3), "calls");
        }

        context.Figure(prefix + "client CPU per delivered msg", Math.Round(outcome.ClientCpuMicrosPerDelivery, 3), "µs");
        context.Figure(prefix + "client CPU", Math.Round(outcome.ClientCpu.TotalSeconds / outcome.WindowSeconds * 100, 1), "% of a core");
        context.Check(prefix + "all clients connected", outcome.Connected == shape.Clients, $"{outcome.Connected} of {shape.Clients}{context.FirstConnectError}");
        context.Check(prefix + "no loss", outcome.Losses == 0, $"{outcome.Losses} of {outcome.Expected} deliveries missing");
        context.Check(prefix + "no duplicate", outcome.Duplicates == 0, $"{outcome.Duplicates} duplicates");
        context.Check(prefix + "per-sender order", outcome.OutOfOrder == 0, $"{outcome.OutOfOrder} out of order");
        context.Check(prefix + "ids increase", outcome.IdOrderViolations == 0, $"{outcome.IdOrderViolations} ids not above the previous one");
    }
}
