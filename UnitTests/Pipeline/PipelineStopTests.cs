using System.Diagnostics;
using Chat.Pipeline;
using Chat.Reactor;
using Chat.UnitTests.EndToEnd;
using Chat.UnitTests.Faults;
using Xunit.Abstractions;

namespace Chat.UnitTests.Pipeline;

/// <summary>
/// A broken invariant of the whole process still stops the server (issue 14): the stage that finds it fails, and a
/// stop then ends within its deadline although the stage before the failed one is blocked on a full channel for ever.
/// </summary>
public sealed class PipelineStopTests(ITestOutputHelper output)
{
    private const int MaxConnections = 2000;
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Ids_going_backwards_fail_the_pipeline_and_a_stop_with_blocked_stages_ends_within_its_deadline()
    {
        // The smallest channels, so that a few connections fill the one in front of the failed broadcast stage.
        var options = new PipelineOptions { StageCapacity = 16 };
        await using var server = await InProcessPipelineServer.StartAsync(new BackwardsIdStore(), options, ReactorBackend.Epoll);
        await using (var sender = await RawClient.OpenWebSocketAsync(new Uri($"ws://{server.EndPoint}/websocket")))
        {
            await sender.SendChatAsync("id 1");
            await sender.ReceiveChatsAsync(1, Within);
            await sender.SendChatAsync("id 1 again");
            var failure = await Assert.ThrowsAnyAsync<Exception>(() => server.Pipeline.Faulted.WaitAsync(Within));
            Assert.Contains("went backwards", failure.Message);
        }

        // Each upgrade's join reaches the persist stage, which hands it on to the dead broadcast stage; once that
        // channel is full every channel before it fills too, /metrics included, so the test reads the pipeline's own.
        var connections = new List<RawClient>();
        try
        {
            // The persist stage takes whatever is queued as one batch, so how many joins fill the channel depends on
            // timing: upgrades go on until it is full (bounded in count and time).
            var filling = Stopwatch.StartNew();
            while (BroadcastQueueDepth(server) < options.StageCapacity && connections.Count < MaxConnections && filling.Elapsed < Within)
            {
                var connection = await RawClient.ConnectAsync(server.EndPoint);
                connections.Add(connection);
                await connection.SendAsync(UpgradeRequest);
            }
            Assert.True(await ChatLoad.EventuallyAsync(() => BroadcastQueueDepth(server) >= options.StageCapacity, Within),
                $"the channel in front of the failed stage fills up: {BroadcastQueueDepth(server)} of {options.StageCapacity} after {connections.Count} upgrades");
        }
        finally
        {
            foreach (var connection in connections) connection.Dispose();
        }

        var deadline = TimeSpan.FromSeconds(2);
        var clock = Stopwatch.StartNew();
        var clean = await server.StopAsync(deadline).WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"stop with a failed broadcast stage and a blocked persist stage: clean {clean}, took {clock.Elapsed.TotalMilliseconds:F0} ms (three steps of {deadline.TotalSeconds} s)");
        Assert.False(clean, "a pipeline with a failed stage does not drain");
        Assert.True(clock.Elapsed < 3 * deadline + TimeSpan.FromSeconds(5), $"the stop ends within its three bounded steps, took {clock.Elapsed}");
    }

    private const string UpgradeRequest = "GET /websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    private static int BroadcastQueueDepth(InProcessPipelineServer server)
    {
        const string Sample = "chat_stage_queue_depth{stage=\"broadcast\"} ";
        var line = server.Pipeline.RenderMetrics().Split('\n').Single(l => l.StartsWith(Sample, StringComparison.Ordinal));
        return int.Parse(line.AsSpan(Sample.Length), provider: System.Globalization.CultureInfo.InvariantCulture);
    }
}
