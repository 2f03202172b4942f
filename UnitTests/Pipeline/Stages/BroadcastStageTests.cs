using Chat.Pipeline.Items;
using Chat.Pipeline.Replay;
using Chat.Pipeline.Rooms;
using Chat.Pipeline.Sessions;
using Chat.Pipeline.Stages;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.UnitTests.Pipeline.Stages;

/// <summary>
/// The broadcast stage alone: committed batches built by hand in; its outbound side is the sockets, so each member's
/// peer reads what it was sent, as a client would.
/// </summary>
public sealed class BroadcastStageTests
{
    private static async Task RunAsync(StageHarness harness, params PersistBatch[] batches)
    {
        await using var store = await StageHarness.StoreAsync();
        var inbound = StageHarness.NewChannel<BroadcastItem>();
        var replayer = new Replayer(store, inbound.Writer, harness.Metrics, NullLogger.Instance, harness.Faults);
        var stage = new BroadcastStage(inbound.Reader, PersistBatch.Pool(harness.Options.MaxRooms), replayer, harness.Rooms, harness.Options, harness.Metrics, harness.Faults);
        foreach (var batch in batches) Assert.True(inbound.Writer.TryWrite(BroadcastItem.Committed(batch)));
        inbound.Writer.Complete();
        await stage.RunAsync().WaitAsync(StageHarness.Within);
    }

    /// <summary>A batch as the persist stage hands it on: <paramref name="entries"/> of one room, stored from <paramref name="firstId"/>.</summary>
    private static PersistBatch Committed(Room room, long firstId, params MessageItem[] entries)
    {
        var batch = new PersistBatch();
        batch.Room = room;
        foreach (var entry in entries) batch.Add(entry);
        batch.FirstId = firstId;
        return batch;
    }

    private static MessageItem Chat(Session sender, string comment)
    {
        sender.Pending.Add(int.MaxValue);
        return StageHarness.EncodedChat(sender, comment);
    }

    [Fact]
    public async Task A_committed_message_reaches_every_live_member_of_its_room_with_its_id_and_settles_its_senders_credit()
    {
        await using var harness = new StageHarness();
        var (alice, atAlice) = await harness.UpgradedSessionAsync("alice");
        var (bob, atBob) = await harness.UpgradedSessionAsync("bob");
        var (elsewhere, atElsewhere) = await harness.UpgradedSessionAsync("carol", room: "kitchen");
        var general = harness.Rooms.General;

        await RunAsync(harness,
            Committed(harness.Rooms.Known("kitchen"), 0, MessageItem.Join(elsewhere, -1)),
            Committed(general, 41, MessageItem.Join(alice, -1), MessageItem.Join(bob, -1), Chat(alice, "hello &amp; welcome")));

        foreach (var peer in new[] { atAlice, atBob })
        {
            var json = await peer.ExpectChatAsync("hello &amp; welcome");
            Assert.Equal(41, json.GetProperty("id").GetInt64());
            Assert.Equal("alice", json.GetProperty("username").GetString());
            Assert.Equal("general", json.GetProperty("room").GetString());
        }
        Assert.True(await atElsewhere.IsSilentAsync(TimeSpan.FromMilliseconds(200)), "another room's message");
        Assert.Equal(0, alice.Pending.Count);
        Assert.Equal(41, general.LastId);
    }

    [Fact]
    public async Task A_member_that_left_gets_nothing_after_its_Closed()
    {
        await using var harness = new StageHarness();
        var (alice, atAlice) = await harness.UpgradedSessionAsync("alice");
        var (bob, atBob) = await harness.UpgradedSessionAsync("bob");

        await RunAsync(harness, Committed(harness.Rooms.General, 1,
            MessageItem.Join(alice, -1), MessageItem.Join(bob, -1), Chat(alice, "both"), MessageItem.Closed(bob), Chat(alice, "alice only")));

        await atAlice.ExpectChatAsync("both");
        await atAlice.ExpectChatAsync("alice only");
        await atBob.ExpectChatAsync("both");
        Assert.True(await atBob.IsSilentAsync(TimeSpan.FromMilliseconds(200)), "nothing after Closed");
        Assert.Null(bob.Broadcast);
        Assert.Equal(1, harness.Rooms.General.LiveCount);
    }

    [Fact]
    public async Task A_join_with_since_inside_the_replay_window_gets_what_it_missed_then_live_messages_without_a_gap_or_a_duplicate()
    {
        await using var harness = new StageHarness();
        var (alice, _) = await harness.UpgradedSessionAsync("alice");
        var (late, atLate) = await harness.UpgradedSessionAsync("late");
        var general = harness.Rooms.General;

        await RunAsync(harness,
            Committed(general, 1, MessageItem.Join(alice, -1), Chat(alice, "m1"), Chat(alice, "m2"), Chat(alice, "m3")),
            Committed(general, 4, MessageItem.Join(late, 1), Chat(alice, "m4")));

        foreach (var (comment, id) in new[] { ("m2", 2L), ("m3", 3L), ("m4", 4L) })
        {
            Assert.Equal(id, (await atLate.ExpectChatAsync(comment)).GetProperty("id").GetInt64());
        }
        Assert.True(await atLate.IsSilentAsync(TimeSpan.FromMilliseconds(200)), "nothing twice");
    }

    [Fact]
    public async Task A_close_that_follows_messages_is_sent_after_their_echoes_and_ends_the_connection()
    {
        await using var harness = new StageHarness();
        var (alice, atAlice) = await harness.UpgradedSessionAsync("alice");
        var close = SessionCloser.EchoAfter(alice, 1000);

        await RunAsync(harness, Committed(harness.Rooms.General, 1, MessageItem.Join(alice, -1), Chat(alice, "last words"), close));

        await atAlice.ExpectChatAsync("last words");
        await atAlice.ExpectCloseAsync(1000);
    }
}
