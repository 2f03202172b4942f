using System.Diagnostics;
using Chat.LoadTests.Client;
using Chat.LoadTests.Measurement;
using Chat.LoadTests.Targets;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// The soak's disturbance, one cycle after another for the run's duration: slow readers open, a connection flood up
/// to the cap, half-open connections, oversized frames, the slow readers closed, a rest. Each cycle is one window of
/// the resource sampler, so that growth is judged on what every cycle falls back to.
/// </summary>
internal sealed class SoakCycles(ScenarioContext context, TargetNode node, SoakShape shape, ResourceSampler? sampler, SoakTally tally)
{
    // A pinned, tiny receive buffer makes a reader that never reads back up into the server's queue within seconds.
    private const int SlowReceiveBuffer = 4096;

    // Sixteen times the server's default frame limit (64 KiB): far past any limit a run would configure.
    private const long OversizedAnnouncement = 1 << 20;

    /// <param name="duration">No cycle starts after it.</param>
    /// <param name="halfOpenWait">How long the server may take to close a half-open connection: its head deadline and then some.</param>
    public async Task RunAsync(TimeSpan duration, TimeSpan halfOpenWait)
    {
        var clock = Stopwatch.StartNew();
        var slowConnect = context.Step("slow reader connect");
        var recover = context.Step("connect after flood");
        while (clock.Elapsed < duration && !context.Cancellation.IsCancellationRequested)
        {
            sampler?.MarkWindow();
            var slow = new List<LeanWebSocket>();
            try
            {
                for (var i = 0; i < shape.SlowReaders; i++)
                {
                    var socket = await Connector.ConnectAsync(context, node, $"?name=slow{i}", slowConnect, socketReceiveBuffer: SlowReceiveBuffer);
                    if (socket is not null) slow.Add(socket);
                }

                Interlocked.Add(ref tally.SlowReaders, slow.Count);
                await SoakFloods.CapFloodAsync(context, node, shape.FloodConnections, recover, tally);
                await SoakFloods.HalfOpenFloodAsync(context, node, shape.HalfOpen, halfOpenWait, tally);
                await SoakFloods.OversizedFloodAsync(context, node, shape.Oversized, OversizedAnnouncement, tally);
            }
            finally
            {
                foreach (var socket in slow)
                {
                    await socket.DisposeAsync();
                    context.ClientGone();
                }
            }

            Interlocked.Increment(ref tally.Cycles);
            await Task.Delay(shape.Rest, context.Cancellation);
        }

        sampler?.MarkWindow();
    }
}
