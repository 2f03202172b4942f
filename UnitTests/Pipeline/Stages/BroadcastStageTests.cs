using System.Diagnostics;
using Chat.Pipeline.Items;
using Chat.Pipeline.Rooms;
using Chat.Pipeline.Sessions;
using static Chat.UnitTests.Pipeline.Stages.BroadcastDriver;

namespace Chat.UnitTests.Pipeline.Stages;

/// <summary>
/// The broadcast stage alone: joins and committed batches built by hand in; its outbound side is the sockets, so each
/// member's peer reads what it was sent, as a client would.
/// </summary>
public sealed class BroadcastStageTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task A_committed_message_reaches_every_live_member_of_its_room_with_its_id_and_settles_its_senders_credit()
    {
        await using var harness = new StageHarness();
        var (alice, atAlice) = await harness.UpgradedSessionAsync("alice");
        var (bob, atBob) = await harness.UpgradedSessionAsync("bob");
        var (elsewhere, atElsewhere) = await harness.UpgradedSessionAsync("carol", room: "kitchen");
        var general = harness.Rooms.General;

        await using (var stage = await StartAsync(harness))
        {
            stage.Join(elsewhere);
            stage.Join(alice);
            stage.Join(bob);
            await stage.CommitAsync(Batch(general, 41, Said(alice, "hello &amp; welcome")));
        }

        foreach (var peer in new[] { atAlice, atBob })
        {
            var json = await peer.ExpectChatAsync("hello &amp; welcome");
            Assert.Equal(41, json.GetProperty("id").GetInt64());
            Assert.Equal("alice", json.GetProperty("username").GetString());
            Assert.Equal("general", json.GetProperty("room").GetString());
        }
        Assert.True(await atElsewhere.IsSilentAsync(Quiet), "another room's message");
        Assert.Equal(0, alice.Pending.Count);
        Assert.Equal(41, general.LastId);
    }

    [Fact]
    public async Task A_member_that_left_gets_nothing_after_its_Closed()
    {
        await using var harness = new StageHarness();
        var (alice, atAlice) = await harness.UpgradedSessionAsync("alice");
        var (bob, atBob) = await harness.UpgradedSessionAsync("bob");

        await using (var stage = await StartAsync(harness))
        {
            stage.Join(alice);
            stage.Join(bob);
            await stage.CommitAsync(Batch(harness.Rooms.General, 1, Said(alice, "both"), MessageItem.Closed(bob), Said(alice, "alice only")));
        }

        await atAlice.ExpectChatAsync("both");
        await atAlice.ExpectChatAsync("alice only");
        await atBob.ExpectChatAsync("both");
        Assert.True(await atBob.IsSilentAsync(Quiet), "nothing after Closed");
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

        await using (var stage = await StartAsync(harness))
        {
            stage.Join(alice);
            await stage.CommitAsync(Batch(general, 1, Said(alice, "m1"), Said(alice, "m2"), Said(alice, "m3")));
            stage.Join(late, since: 1);
            await stage.CommitAsync(Batch(general, 4, Said(alice, "m4")));
        }

        foreach (var (comment, id) in new[] { ("m2", 2L), ("m3", 3L), ("m4", 4L) })
        {
            Assert.Equal(id, (await atLate.ExpectChatAsync(comment)).GetProperty("id").GetInt64());
        }
        Assert.True(await atLate.IsSilentAsync(Quiet), "nothing twice");
    }

    [Fact]
    public async Task A_join_with_nothing_behind_it_wakes_the_stage_and_gets_its_replay_at_once()
    {
        await using var harness = new StageHarness();
        var (alice, _) = await harness.UpgradedSessionAsync("alice");
        var (late, atLate) = await harness.UpgradedSessionAsync("late");

        await using var stage = await StartAsync(harness);
        stage.Join(alice);
        await stage.DeliveredAsync(Batch(harness.Rooms.General, 1, Said(alice, "m1"), Said(alice, "m2")), lastId: 2);
        stage.Join(late, since: 1);

        // Still running: the stage has no item after the join but the wake-up the join channel wrote.
        Assert.Equal(2, (await atLate.ExpectChatAsync("m2")).GetProperty("id").GetInt64());
        await stage.CommitAsync(Batch(harness.Rooms.General, 3, Said(alice, "m3")));
        Assert.Equal(3, (await atLate.ExpectChatAsync("m3")).GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task A_close_that_follows_messages_is_sent_after_their_echoes_and_ends_the_connection()
    {
        await using var harness = new StageHarness();
        var (alice, atAlice) = await harness.UpgradedSessionAsync("alice");
        var close = SessionCloser.EchoAfter(alice, 1000);

        await using (var stage = await StartAsync(harness))
        {
            stage.Join(alice);
            await stage.CommitAsync(Batch(harness.Rooms.General, 1, Said(alice, "last words"), close));
        }

        await atAlice.ExpectChatAsync("last words");
        await atAlice.ExpectCloseAsync(1000);
    }

    [Fact]
    public async Task A_join_without_since_gets_every_run_that_started_after_its_101_from_the_window_and_none_before()
    {
        await using var harness = new StageHarness();
        var (alice, _) = await harness.UpgradedSessionAsync("alice");
        var (early, atEarly) = await harness.UpgradedSessionAsync("early");
        var (late, atLate) = await harness.UpgradedSessionAsync("late");
        var (now, atNow) = await harness.UpgradedSessionAsync("now");
        var general = harness.Rooms.General;

        await using (var stage = await StartAsync(harness))
        {
            stage.Join(alice);
            // The early client's 101 was queued before the first run, the late one's between the runs; both joins reach
            // the stage only after the second run, as a join behind a busy broadcast stage does.
            var earlySwitched = Stopwatch.GetTimestamp();
            await stage.DeliveredAsync(Batch(general, 1, Said(alice, "m1")), lastId: 1);
            var lateSwitched = Stopwatch.GetTimestamp();
            await stage.DeliveredAsync(Batch(general, 2, Said(alice, "m2"), Said(alice, "m3")), lastId: 3);
            stage.Join(early, switchedAt: earlySwitched);
            stage.Join(late, switchedAt: lateSwitched);
            stage.Join(now);
            await stage.CommitAsync(Batch(general, 4, Said(alice, "m4")));
        }

        foreach (var (comment, id) in new[] { ("m1", 1L), ("m2", 2L), ("m3", 3L), ("m4", 4L) })
        {
            Assert.Equal(id, (await atEarly.ExpectChatAsync(comment)).GetProperty("id").GetInt64());
        }
        foreach (var (comment, id) in new[] { ("m2", 2L), ("m3", 3L), ("m4", 4L) })
        {
            Assert.Equal(id, (await atLate.ExpectChatAsync(comment)).GetProperty("id").GetInt64());
        }
        Assert.Equal(4, (await atNow.ExpectChatAsync("m4")).GetProperty("id").GetInt64());
        foreach (var peer in new[] { atEarly, atLate, atNow }) Assert.True(await peer.IsSilentAsync(Quiet), "nothing twice");
    }

    [Fact]
    public async Task A_join_stamped_before_more_runs_than_the_history_keeps_gets_more_messages_never_fewer()
    {
        await using var harness = new StageHarness();
        var (alice, _) = await harness.UpgradedSessionAsync("alice");
        var (late, atLate) = await harness.UpgradedSessionAsync("late");
        var general = harness.Rooms.General;
        // Runs of one message each: a Closed of a connection that never joined splits them, as in a busy room.
        var runs = LastIdHistory.Capacity + 44;
        var entries = new List<MessageItem>();
        for (var i = 0; i < runs; i++)
        {
            entries.Add(Said(alice, $"r{i + 2}"));
            entries.Add(MessageItem.Closed(new Session(alice.Connection, 0)));
        }

        await using (var stage = await StartAsync(harness))
        {
            stage.Join(alice);
            await stage.DeliveredAsync(Batch(general, 1, Said(alice, "r1")), lastId: 1);
            var switched = Stopwatch.GetTimestamp();
            await stage.DeliveredAsync(Batch(general, 2, [.. entries]), lastId: runs + 1);
            Assert.True(general.LastIdMoves.Count < runs, "the history merged entries");
            stage.Join(late, switchedAt: switched);
        }

        var received = await atLate.ReceiveChatsAsync(runs);
        var first = received[0].Id;
        Assert.InRange(first, 1, 2);
        if (first == 1) received.AddRange(await atLate.ReceiveChatsAsync(1));
        Assert.Equal(Enumerable.Range((int)first, runs + 2 - (int)first).Select(i => (long)i), received.Select(m => m.Id));
        Assert.True(await atLate.IsSilentAsync(Quiet), "nothing twice");
    }
}
