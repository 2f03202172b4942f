using System.Diagnostics;
using Chat.LoadTests.Measurement;
using Chat.LoadTests.Targets;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// One replay round: C clients connect at once to the room with the same since= and read until each has the last
/// stored id; nobody sends meanwhile, so every id they get is a replayed one. CPU of the server and of this process
/// is read from before the first handshake until the slowest client has its last message.
/// </summary>
internal static class ReplayRound
{
    // Generous: a store replay of tens of thousands of messages to many clients can take long on a loaded 2-core box.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    /// <param name="context">The run.</param>
    /// <param name="node">The server.</param>
    /// <param name="room">The room the fill stored its messages in.</param>
    /// <param name="clients">Clients that catch up together.</param>
    /// <param name="stored">Every id the fill stored, in order.</param>
    /// <param name="since">The clients' since=.</param>
    /// <param name="prefix">Prefix of this round's step names.</param>
    public static async Task<ReplayOutcome> RunAsync(ScenarioContext context, TargetNode node, string room, int clients,
        IReadOnlyList<long> stored, long since, string prefix)
    {
        var connect = context.Step(prefix + "connect");
        var replay = context.Step(prefix + "replay");
        var expected = stored.Where(id => id > since).ToList();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
        stop.CancelAfter(Deadline);
        var reading = new List<Task>();
        var serverBefore = context.ServerSample();
        var clientBefore = ProcessStats.ReadSelf();
        var started = Stopwatch.GetTimestamp();
        var readers = await Connector.StartAllAsync(context, _ => TimeSpan.Zero, clients, async i =>
        {
            var socket = await Connector.ConnectAsync(context, node, $"?name=replay{i}&room={room}&since={since}", connect);
            if (socket is null) return null;
            var reader = new ReplayReader(socket, context.RunId, expected[^1]);
            lock (reading) reading.Add(reader.RunAsync(started, stop.Token));
            return reader;
        });

        await Task.WhenAll(reading);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var serverAfter = context.ServerSample();
        var clientCpu = ProcessStats.ReadSelf().Cpu - clientBefore.Cpu;
        foreach (var reader in readers)
        {
            if (reader.Finished is { } finished) replay.Ok((long)finished.TotalMicroseconds, bytesIn: reader.WireBytes);
            else replay.Fail();
            await reader.Socket.CloseAsync(context.Cancellation);
            await reader.Socket.DisposeAsync();
            context.ClientGone();
        }

        var everyoneFinished = readers.Count == clients && readers.All(r => r.Finished is not null);
        return new ReplayOutcome(
            clients,
            readers.Count,
            ReplayTally.Of(clients, expected, [.. readers.Select(r => r.Ids)]),
            readers.Sum(r => r.WireBytes),
            readers.Sum(r => r.Compressed),
            readers.Count(r => r.ClosedByServer),
            everyoneFinished ? readers.Max(r => r.Finished!.Value) : elapsed,
            serverAfter.Cpu - serverBefore.Cpu,
            clientCpu,
            serverAfter.WriteCalls - serverBefore.WriteCalls);
    }

    /// <summary>The figures and checks of one round, names prefixed with the round.</summary>
    public static void Report(ScenarioContext context, ReplayOutcome outcome, string prefix)
    {
        var tally = outcome.Tally;
        context.Figure(prefix + "messages replayed", outcome.Replayed, "msg");
        context.Figure(prefix + "replayed msgs/s", Math.Round(outcome.ReplayedPerSecond, 1), "msg/s");
        context.Figure(prefix + "time to last message", Math.Round(outcome.TimeToLast.TotalMilliseconds, 1), "ms");
        context.Figure(prefix + "wire bytes per replayed msg", Math.Round(outcome.WireBytesPerMessage, 1), "B");
        context.Figure(prefix + "replayed msgs compressed", Math.Round(outcome.CompressedPercent, 1), "%");
        if (context.ServerMeasurable)
        {
            context.Figure(prefix + "server CPU per replayed msg", Math.Round(outcome.ServerCpuMicrosPerMessage, 3), "µs");
            context.Figure(prefix + "server write/writev calls per replayed msg", Math.Round(outcome.ServerWriteCallsPerMessage, 3), "calls");
        }

        context.Figure(prefix + "client CPU per replayed msg", Math.Round(outcome.ClientCpuMicrosPerMessage, 3), "µs");
        context.Check(prefix + "all clients connected", outcome.Connected == outcome.Clients, $"{outcome.Connected} of {outcome.Clients}{context.FirstConnectError}");
        context.Check(prefix + "none closed by the server", outcome.ClosedByServer == 0, $"{outcome.ClosedByServer} closed before their last message");
        context.Check(prefix + "every message replayed", tally.Gaps == 0 && tally.Received == tally.Expected, $"{tally.Received} of {tally.Expected}, {tally.Gaps} missing");
        context.Check(prefix + "no duplicate", tally.Duplicates == 0, $"{tally.Duplicates} ids seen twice");
        context.Check(prefix + "in order", tally.OutOfOrder == 0, $"{tally.OutOfOrder} ids not above the one before");
        context.Check(prefix + "no foreign ids", tally.Unexpected == 0, $"{tally.Unexpected} ids at or below since=, or never stored");
    }
}
