using Chat.Pipeline.Rooms;

namespace Chat.UnitTests.Pipeline.Rooms;

/// <summary>Where a client joining without since starts: the last id delivered when its 101 was queued, or earlier, never later.</summary>
public sealed class LastIdHistoryTests
{
    [Fact]
    public void Nothing_moved_answers_the_current_last_id()
    {
        Assert.Equal(42, new LastIdHistory().At(stamp: 1_000, current: 42));
    }

    [Fact]
    public void A_stamp_gets_the_last_id_after_every_run_that_started_at_or_before_it()
    {
        var history = new LastIdHistory();
        history.Moved(startedAt: 10, before: 0, after: 3);
        history.Moved(startedAt: 20, before: 3, after: 5);

        Assert.Equal(0, history.At(9, current: 5));
        Assert.Equal(3, history.At(10, current: 5));
        Assert.Equal(3, history.At(19, current: 5));
        Assert.Equal(5, history.At(20, current: 5));
        Assert.Equal(5, history.At(1_000, current: 5));
    }

    [Fact]
    public void Past_its_capacity_it_merges_entries_and_answers_the_same_or_an_earlier_id_for_every_stamp_never_a_later_one()
    {
        var history = new LastIdHistory();
        // Run k starts at 10k and takes the last id from k - 1 to k.
        var runs = 3 * LastIdHistory.Capacity + 7;
        for (var k = 1; k <= runs; k++) history.Moved(startedAt: 10 * k, before: k - 1, after: k);

        Assert.True(history.Count <= LastIdHistory.Capacity);
        var coarse = 0;
        for (var stamp = 0; stamp <= 10 * runs + 10; stamp += 5)
        {
            var exact = Math.Min(stamp / 10, runs);
            var answer = history.At(stamp, current: runs);
            Assert.InRange(answer, 0, exact);
            if (answer < exact) coarse++;
        }
        Assert.True(coarse > 0, "some entries were merged");
        // The newest runs stay exact: a join's stamp is recent.
        Assert.Equal(runs - 1, history.At(10 * (runs - 1), current: runs));
        Assert.Equal(runs, history.At(10 * runs, current: runs));
        Assert.Equal(0, history.At(9, current: runs));
    }
}
