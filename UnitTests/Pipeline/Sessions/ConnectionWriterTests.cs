using System.Text;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Items;
using Chat.Pipeline.Rooms;
using Chat.Pipeline.Sessions;
using Chat.Pipeline.Stages;
using Chat.Reactor;
using Chat.UnitTests.Pipeline.Stages;

namespace Chat.UnitTests.Pipeline.Sessions;

/// <summary>
/// The writer is the one way out (issue 18): whichever kind of frame finds a peer's queue full, the peer is dropped the
/// same way, counted once in chat_slow_consumers_dropped_total and closed with 1008. The kinds sent by the broadcast
/// stage outside the chat fan-out are driven here, through the stage alone, until the peer that never reads is dropped:
/// presence frames (which before ignored a full queue on a watcher's first frame) and signals relayed from other nodes.
/// SlowConsumerDropTests drives the others end to end (broadcast, replay from the window and the store, pongs, error frames).
/// </summary>
public sealed class ConnectionWriterTests
{
    // Far more than the reactor's default high-water mark (1 MiB) and what the kernel buffers for a peer that never
    // reads (its receive window does not grow without reads); the rounds stop at the drop.
    private const long MaxBytes = 32L * 1024 * 1024;

    [Fact]
    public async Task A_presence_watcher_that_does_not_read_is_dropped_when_a_presence_frame_finds_its_queue_full_and_counted()
    {
        await using var harness = new StageHarness();
        var (watcher, atWatcher) = await harness.UpgradedSessionAsync("watcher", wantsPresence: true);
        // Fifty members with names of 32 characters: each tick's frame lists all of them, joined or left (about 2 KB).
        var members = new List<Session>();
        for (var i = 0; i < 50; i++) members.Add((await harness.UpgradedSessionAsync($"member-{i:D2}-".PadRight(32, 'x'))).Session);
        var room = harness.Rooms.General;
        await using var stage = await BroadcastDriver.StartAsync(harness);

        stage.Join(watcher);
        await RoundsUntilDroppedAsync(harness, stage, MaxBytes / 2048, async () =>
        {
            // One join per connection, as the handshake posts it: the stage takes waiting joins before its next item,
            // so the members join again only once the previous round's leaves were taken, and the ticks after.
            await stage.TakenAsync();
            foreach (var member in members) stage.Join(member);
            await stage.TakenAsync();
            stage.Post(BroadcastItem.PresenceTick());
            stage.Post(Committed(room, [.. members.Select(MessageItem.Closed)]));
            stage.Post(BroadcastItem.PresenceTick());
        });

        Assert.Equal(1, harness.Metrics.SlowConsumersDropped);
        Assert.Equal(1008, await atWatcher.ReadCloseCodeAsync(StageHarness.Within));
        Assert.Equal(0, room.LiveCount);
    }

    [Fact]
    public async Task A_member_that_does_not_read_is_dropped_when_a_relayed_signal_finds_its_queue_full_and_counted()
    {
        await using var harness = new StageHarness();
        var (member, atMember) = await harness.UpgradedSessionAsync("member");
        var room = harness.Rooms.General;
        await using var stage = await BroadcastDriver.StartAsync(harness);
        var payload = Encoding.UTF8.GetBytes($"{{\"messageType\":\"webRTC-offer\",\"offer\":{{\"sdp\":\"{new string('s', 60_000)}\"}}}}");

        stage.Join(member);
        await RoundsUntilDroppedAsync(harness, stage, MaxBytes / payload.Length, () =>
        {
            stage.Post(Signal(room, payload));
            return Task.CompletedTask;
        });

        Assert.Equal(1, harness.Metrics.SlowConsumersDropped);
        Assert.Equal(1008, await atMember.ReadCloseCodeAsync(StageHarness.Within));
        Assert.Equal(0, room.LiveCount);
    }

    /// <summary>A batch as the persist stage hands it on: leaves only, no stored rows.</summary>
    private static BroadcastItem Committed(Room room, params MessageItem[] entries)
    {
        var batch = new PersistBatch { Room = room };
        foreach (var entry in entries) batch.Add(entry);
        return BroadcastItem.Committed(batch);
    }

    /// <summary>A signal another node relayed: a whole text frame, for every member of the room here.</summary>
    private static BroadcastItem Signal(Room room, byte[] payload)
    {
        var header = FrameEncoder.HeaderLength(payload.Length);
        var frame = SharedBuffer.Rent(header + payload.Length);
        FrameEncoder.WriteHeader(frame.Span, Opcode.Text, fin: true, payload.Length);
        payload.CopyTo(frame.Span[header..]);
        return BroadcastItem.Signal(room, frame, header + payload.Length);
    }

    /// <summary>
    /// Runs rounds, at most <paramref name="maxRounds"/>, until the stage dropped a slow consumer: after every few rounds
    /// it waits for the stage to have taken them all, then looks at the counter.
    /// </summary>
    private static async Task RoundsUntilDroppedAsync(StageHarness harness, BroadcastDriver stage, long maxRounds, Func<Task> round)
    {
        const int RoundsPerLook = 16;
        for (long done = 0; done < maxRounds && Interlocked.Read(ref harness.Metrics.SlowConsumersDropped) == 0; done += RoundsPerLook)
        {
            for (var i = 0; i < RoundsPerLook; i++) await round();
            await stage.TakenAsync();
            Assert.True(stage.Running, "the broadcast stage stopped");
        }
    }
}
