using Chat.LoadTests.Measurement;

namespace Chat.UnitTests.LoadTests;

public sealed class SequenceCheckerTests
{
    private static SequenceChecker Fed(params (int Sender, long Sequence)[] arrivals)
    {
        var checker = new SequenceChecker();
        foreach (var (sender, sequence) in arrivals) checker.Observe(sender, sequence);
        return checker;
    }

    [Fact]
    public void Complete_ordered_streams_have_no_loss_duplicate_or_disorder()
    {
        var checker = Fed((0, 0), (1, 0), (0, 1), (1, 1), (0, 2));

        Assert.Equal(5, checker.Received);
        Assert.Equal(0, checker.Duplicates);
        Assert.Equal(0, checker.OutOfOrder);
        Assert.Equal(0, checker.Losses(new Dictionary<int, long> { [0] = 3, [1] = 2 }));
    }

    [Fact]
    public void A_number_seen_twice_is_one_duplicate_and_not_counted_as_received()
    {
        var checker = Fed((0, 0), (0, 1), (0, 1), (0, 2), (0, 0));

        Assert.Equal(2, checker.Duplicates);
        Assert.Equal(3, checker.Received);
        Assert.Equal(0, checker.OutOfOrder);
    }

    [Fact]
    public void A_number_below_the_highest_seen_is_out_of_order()
    {
        var checker = Fed((0, 0), (0, 2), (0, 1), (0, 3));

        Assert.Equal(1, checker.OutOfOrder);
        Assert.Equal(0, checker.Losses(new Dictionary<int, long> { [0] = 4 }));
    }

    [Fact]
    public void Numbers_sent_but_never_seen_are_losses_per_sender()
    {
        var checker = Fed((0, 0), (0, 3), (1, 1));

        Assert.Equal(3 + 1 + 2, checker.Losses(new Dictionary<int, long> { [0] = 5, [1] = 2, [2] = 2 }));
    }

    [Fact]
    public void Streams_past_the_first_bitmap_words_are_tracked()
    {
        var checker = new SequenceChecker();
        for (long s = 0; s < 5000; s++) if (s != 4321) checker.Observe(7, s);

        Assert.Equal(1, checker.Losses(new Dictionary<int, long> { [7] = 5000 }));
        checker.Observe(7, 4999);
        Assert.Equal(1, checker.Duplicates);
    }

    [Fact]
    public void Reconnecting_client_with_the_reference_ids_passes()
    {
        var check = IdSequenceCheck.Compare([1, 2, 3, 5, 8], [1, 2, 3, 5, 8]);

        Assert.True(check.Passed);
    }

    [Fact]
    public void Ids_missing_after_a_reconnect_are_gaps()
    {
        var check = IdSequenceCheck.Compare([1, 2, 3, 4, 5], [1, 2, 5]);

        Assert.Equal(2, check.Gaps);
        Assert.False(check.Passed);
    }

    [Fact]
    public void Ids_replayed_twice_are_duplicates_and_a_step_back_is_disorder()
    {
        var check = IdSequenceCheck.Compare([1, 2, 3, 4], [1, 2, 3, 2, 4, 3]);

        Assert.Equal(2, check.Duplicates);
        Assert.Equal(0, check.Gaps);

        var disorder = IdSequenceCheck.Compare([1, 2, 3], [1, 3, 2]);
        Assert.Equal(1, disorder.OutOfOrder);
        Assert.Equal(0, disorder.Duplicates);
    }

    [Fact]
    public void Ids_the_reference_never_saw_are_unexpected()
    {
        var check = IdSequenceCheck.Compare([1, 2], [1, 2, 9]);

        Assert.Equal(1, check.Unexpected);
        Assert.False(check.Passed);
    }
}
