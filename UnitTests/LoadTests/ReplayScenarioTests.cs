using Chat.LoadTests.Runner;
using Chat.LoadTests.Scenarios;

namespace Chat.UnitTests.LoadTests;

/// <summary>
/// The replay scenario: its check (every id after since= exactly once, in order, for every client), its options, and
/// a short run against our server with permessage-deflate, through the replay window and through the store.
/// </summary>
public sealed class ReplayScenarioTests
{
    private static readonly long[] Stored = [3, 4, 7, 8, 9];

    [Fact]
    public void Every_client_with_every_id_once_in_order_passes()
    {
        var tally = ReplayTally.Of(2, Stored, [Stored, Stored]);

        Assert.True(tally.Passed);
        Assert.Equal((10, 10), (tally.Expected, tally.Received));
    }

    [Fact]
    public void A_missing_id_is_a_gap()
    {
        var tally = ReplayTally.Of(2, Stored, [Stored, [3, 4, 8, 9]]);

        Assert.False(tally.Passed);
        Assert.Equal((1, 0, 0, 0), (tally.Gaps, tally.Duplicates, tally.OutOfOrder, tally.Unexpected));
    }

    [Fact]
    public void An_id_received_twice_is_a_duplicate()
    {
        var tally = ReplayTally.Of(1, Stored, [[3, 4, 7, 7, 8, 9]]);

        Assert.False(tally.Passed);
        Assert.Equal((0, 1), (tally.Gaps, tally.Duplicates));
    }

    [Fact]
    public void Ids_out_of_order_fail()
    {
        var tally = ReplayTally.Of(1, Stored, [[3, 7, 4, 8, 9]]);

        Assert.False(tally.Passed);
        Assert.Equal((0, 0, 1), (tally.Gaps, tally.Duplicates, tally.OutOfOrder));
    }

    [Fact]
    public void An_id_at_or_below_since_is_foreign()
    {
        var tally = ReplayTally.Of(1, Stored, [[2, 3, 4, 7, 8, 9]]);

        Assert.False(tally.Passed);
        Assert.Equal(1, tally.Unexpected);
    }

    [Fact]
    public void A_client_that_never_connected_misses_every_id()
    {
        var tally = ReplayTally.Of(3, Stored, [Stored, Stored]);

        Assert.False(tally.Passed);
        Assert.Equal((5, 15, 10), (tally.Gaps, tally.Expected, tally.Received));
    }

    [Fact]
    public void Messages_and_replay_are_read_and_replay_stays_within_the_servers_window()
    {
        var options = Assert.IsType<Command.Run>(CommandLine.Parse(["run", "replay", "--messages", "6000", "--replay", "300", "--deflate"])).Options;

        Assert.Equal(("replay", 6000, 300, true), (options.Scenario, options.Messages, options.Replay, options.Deflate));
        Assert.Throws<UsageException>(() => CommandLine.Parse(["run", "replay", "--replay", "4097"]));
        Assert.Throws<UsageException>(() => CommandLine.Parse(["run", "replay", "--messages", "0"]));
        Assert.Contains("replay", CommandLine.Usage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_from_the_window_and_from_the_store_brings_every_message_once_in_order()
    {
        var report = await ScenarioSmokeTests.RunAsync(new RunOptions
        {
            Scenario = "replay", Clients = 3, Messages = RunOptions.ServerReplayWindow + 100, Replay = 200, MessageSize = 512, Deflate = true,
            Settings = new Dictionary<string, string> { ["CHAT_DEFLATE_MIN_BYTES"] = "0" },
        });

        Assert.Equal(3 * 200, ScenarioSmokeTests.Figure(report, "window: messages replayed"));
        Assert.Equal(3 * (RunOptions.ServerReplayWindow + 100), ScenarioSmokeTests.Figure(report, "store: messages replayed"));
        // The window keeps each frame's once-compressed twin and sends it to clients that negotiated permessage-deflate.
        Assert.Equal(100, ScenarioSmokeTests.Figure(report, "window: replayed msgs compressed"));
        Assert.True(ScenarioSmokeTests.Figure(report, "window: wire bytes per replayed msg") < 512, "a 512-character comment of 'x' compresses");
        Assert.True(ScenarioSmokeTests.Figure(report, "store: server CPU per replayed msg") > 0);
        Assert.True(ScenarioSmokeTests.Figure(report, "store: replayed msgs/s") > 0);
        Assert.Contains(report.Checks, c => c.Name == "store: every message replayed");
    }
}
