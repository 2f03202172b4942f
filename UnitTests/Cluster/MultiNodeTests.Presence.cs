using System.Diagnostics;
using System.Text.Json;
using Chat.Pipeline.Codecs;
using Chat.UnitTests.Conformance;
using Chat.UnitTests.EndToEnd;
using Chat.UnitTests.Infrastructure;

namespace Chat.UnitTests.Cluster;

/// <summary>
/// Presence across nodes (issue 16): frames, GET /presence and GET /rooms show every node's connections; a node killed
/// with SIGKILL drops out within the contract's 30 s, one stopped cleanly at once.
/// </summary>
public sealed partial class MultiNodeTests
{
    private static readonly TimeSpan PresenceDeadline = NodePresence.Deadline;

    [PostgresFact]
    public async Task Watchers_on_two_nodes_see_the_other_nodes_names_join_and_leave_and_both_nodes_answer_alike()
    {
        var (_, nodes) = await StartNodesAsync(2);
        try
        {
            const string room = "lobby";
            await using var clientA = await RawClient.OpenWebSocketAsync(nodes[0].EndPoint, $"room={room}&name=watch-a&presence=1");
            var watchA = new PresenceWatcher(clientA);
            Assert.Equal(["watch-a"], (await watchA.UntilAsync(["watch-a"])).Names);
            await using var clientB = await RawClient.OpenWebSocketAsync(nodes[1].EndPoint, $"room={room}&name=watch-b&presence=1");
            var watchB = new PresenceWatcher(clientB);

            Assert.Equal(2, (await watchA.UntilAsync(["watch-a", "watch-b"])).Online);
            Assert.Equal(2, (await watchB.UntilAsync(["watch-a", "watch-b"])).Online);

            var bobs = new[]
            {
                await RawClient.OpenWebSocketAsync(nodes[1].EndPoint, $"room={room}&name=b%3Cob%3E"),
                await RawClient.OpenWebSocketAsync(nodes[1].EndPoint, $"room={room}&name=b%3Cob%3E"),
            };
            string[] withBob = ["b&lt;ob&gt;", "watch-a", "watch-b"];
            // The join frame counts 3 or 4 connections (the second of a name changes no name, so no frame of its
            // own); /rooms counts both.
            Assert.InRange((await watchA.UntilAsync(withBob)).Online, 3, 4);
            Assert.InRange((await watchB.UntilAsync(withBob)).Online, 3, 4);
            foreach (var node in nodes) await NodePresence.WaitAsync(node, room, withBob, 4);

            foreach (var bob in bobs) await bob.DisposeAsync();
            Assert.Equal(2, (await watchA.UntilAsync(["watch-a", "watch-b"])).Online);
            Assert.Equal(2, (await watchB.UntilAsync(["watch-a", "watch-b"])).Online);
            foreach (var node in nodes) await NodePresence.WaitAsync(node, room, ["watch-a", "watch-b"], 2);
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task A_node_killed_with_sigkill_drops_out_of_the_other_nodes_presence_within_30_seconds()
    {
        var (_, nodes) = await StartNodesAsync(2);
        try
        {
            const string room = "crash";
            await using var client = await RawClient.OpenWebSocketAsync(nodes[0].EndPoint, $"room={room}&name=survivor&presence=1");
            var watcher = new PresenceWatcher(client);
            var doomed = await RawClient.OpenWebSocketAsync(nodes[1].EndPoint, $"room={room}&name=doomed");
            await NodePresence.WaitAsync(nodes[0], room, ["doomed", "survivor"], 2);
            await watcher.UntilAsync(["doomed", "survivor"]);

            var clock = Stopwatch.StartNew();
            await nodes[1].KillAsync();
            await NodePresence.WaitAsync(nodes[0], room, ["survivor"], 1);
            var gone = clock.Elapsed;
            var folded = await watcher.UntilAsync(["survivor"]);
            Assert.True(clock.Elapsed < PresenceDeadline, $"the killed node dropped out after {clock.Elapsed.TotalSeconds:F1} s (/presence after {gone.TotalSeconds:F1} s)");
            Assert.Equal(1, folded.Online);
            output.WriteLine($"killed node gone from /presence and /rooms after {gone.TotalSeconds:F1} s, from the watcher's frames after {clock.Elapsed.TotalSeconds:F1} s");
            await doomed.DisposeAsync();
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task A_node_stopped_cleanly_drops_out_at_once_not_when_its_lease_runs_out()
    {
        var (_, nodes) = await StartNodesAsync(2);
        try
        {
            const string room = "leaving";
            await using var client = await RawClient.OpenWebSocketAsync(nodes[0].EndPoint, $"room={room}&name=stays&presence=1");
            var watcher = new PresenceWatcher(client);
            await using var leaver = await RawClient.OpenWebSocketAsync(nodes[1].EndPoint, $"room={room}&name=leaves");
            await NodePresence.WaitAsync(nodes[0], room, ["leaves", "stays"], 2);
            await watcher.UntilAsync(["leaves", "stays"]);

            var clock = Stopwatch.StartNew();
            var stopping = nodes[1].TerminateAsync(TimeSpan.FromSeconds(30));
            await NodePresence.WaitAsync(nodes[0], room, ["stays"], 1);
            var gone = clock.Elapsed;
            Assert.Equal(0, await stopping);
            // Far below the 15 s lease: the stop removed the rows, the lease did not have to run out.
            Assert.True(gone < TimeSpan.FromSeconds(5), $"the stopped node dropped out after {gone.TotalSeconds:F1} s");
            output.WriteLine($"stopped node gone from /presence and /rooms {gone.TotalSeconds:F1} s after SIGTERM (it exited after {clock.Elapsed.TotalSeconds:F1} s)");
            Assert.Equal(1, (await watcher.UntilAsync(["stays"])).Online);
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task A_signal_too_large_for_the_other_nodes_gets_an_error_frame_and_reaches_nobody()
    {
        var (_, nodes) = await StartNodesAsync(2);
        try
        {
            await using var caller = await RawClient.OpenWebSocketAsync(nodes[0].EndPoint, "room=bigcall&name=caller");
            await using var here = await RawClient.OpenWebSocketAsync(nodes[0].EndPoint, "room=bigcall&name=here");
            var sdp = new string('s', 9000);
            await caller.SendTextAsync("""{"messageType":"webRTC-offer","offer":{"type":"offer","sdp":""" + "\"" + sdp + "\"}}");
            Assert.Contains("too large", await caller.ExpectErrorAsync());

            await caller.SendTextAsync("""{"messageType":"webRTC-offer","offer":{"type":"offer","sdp":"v=0"}}""");
            var relayed = (await here.ReadFrameAsync()).Json();
            Assert.Equal("v=0", relayed.GetProperty("offer").GetProperty("sdp").GetString());
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }
}
