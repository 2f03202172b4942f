using System.Text;
using System.Threading.Channels;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Items;
using Chat.Pipeline.Replay;
using Chat.Pipeline.Rooms;
using Chat.Pipeline.Sessions;
using Chat.Pipeline.Stages;
using Chat.Reactor;
using Chat.Storage;
using Chat.UnitTests.Pipeline.Stages;
using Microsoft.Extensions.Logging.Abstractions;

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
        var (watcher, atWatcher) = await harness.UpgradedSessionAsync("watcher");
        watcher.WantsPresence = true;
        // Fifty members with names of 32 characters: each tick's frame lists all of them, joined or left (about 2 KB).
        var members = new List<Session>();
        for (var i = 0; i < 50; i++) members.Add((await harness.UpgradedSessionAsync($"member-{i:D2}-".PadRight(32, 'x'))).Session);
        var room = harness.Rooms.General;
        await using var stage = await BroadcastRun.StartAsync(harness);

        stage.Write(Committed(room, MessageItem.Join(watcher, -1)));
        await stage.RoundsUntilDroppedAsync(MaxBytes / 2048, () =>
        {
            stage.Write(Committed(room, [.. members.Select(m => MessageItem.Join(m, -1))]));
            stage.Write(BroadcastItem.PresenceTick());
            stage.Write(Committed(room, [.. members.Select(MessageItem.Closed)]));
            stage.Write(BroadcastItem.PresenceTick());
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
        await using var stage = await BroadcastRun.StartAsync(harness);
        var payload = Encoding.UTF8.GetBytes($"{{\"messageType\":\"webRTC-offer\",\"offer\":{{\"sdp\":\"{new string('s', 60_000)}\"}}}}");

        stage.Write(Committed(room, MessageItem.Join(member, -1)));
        await stage.RoundsUntilDroppedAsync(MaxBytes / payload.Length, () => stage.Write(Signal(room, payload)));

        Assert.Equal(1, harness.Metrics.SlowConsumersDropped);
        Assert.Equal(1008, await atMember.ReadCloseCodeAsync(StageHarness.Within));
        Assert.Equal(0, room.LiveCount);
    }

    /// <summary>A batch as the persist stage hands it on: joins and leaves only, no stored rows.</summary>
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

    /// <summary>The broadcast stage running on its own over a channel the case writes to while it runs.</summary>
    private sealed class BroadcastRun : IAsyncDisposable
    {
        // Not single-reader: that one cannot count what is left to read.
        private readonly Channel<BroadcastItem> _inbound = Channel.CreateUnbounded<BroadcastItem>();
        private readonly InMemoryMessageStore _store;
        private readonly StageHarness _harness;
        private readonly Task _running;

        private BroadcastRun(StageHarness harness, InMemoryMessageStore store)
        {
            _harness = harness;
            _store = store;
            var replayer = new Replayer(store, _inbound.Writer, harness.Metrics, NullLogger.Instance, harness.Faults);
            var stage = new BroadcastStage(_inbound.Reader, PersistBatch.Pool(harness.Options.MaxRooms), replayer, harness.Rooms, harness.Options, harness.Metrics, harness.Faults);
            _running = Task.Run(stage.RunAsync);
        }

        public static async Task<BroadcastRun> StartAsync(StageHarness harness) => new(harness, await StageHarness.StoreAsync());

        public void Write(BroadcastItem item) => Assert.True(_inbound.Writer.TryWrite(item));

        /// <summary>
        /// Writes rounds, at most <paramref name="maxRounds"/>, until the stage dropped a slow consumer: after every
        /// few rounds it waits for the stage to have read them all, then looks at the counter.
        /// </summary>
        public async Task RoundsUntilDroppedAsync(long maxRounds, Action round)
        {
            const int RoundsPerLook = 16;
            for (long done = 0; done < maxRounds && Interlocked.Read(ref _harness.Metrics.SlowConsumersDropped) == 0; done += RoundsPerLook)
            {
                for (var i = 0; i < RoundsPerLook; i++) round();
                var deadline = DateTime.UtcNow + StageHarness.Within;
                while (_inbound.Reader.Count > 0)
                {
                    Assert.True(DateTime.UtcNow < deadline, "the broadcast stage did not read its items in time");
                    Assert.False(_running.IsCompleted, "the broadcast stage stopped");
                    await Task.Delay(5);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _inbound.Writer.TryComplete();
            await _running.WaitAsync(StageHarness.Within);
            await _store.DisposeAsync();
        }
    }
}
