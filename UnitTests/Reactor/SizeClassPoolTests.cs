using Chat.Reactor;

namespace Chat.UnitTests.Reactor;

public sealed class SizeClassPoolTests
{
    private static SizeClassPool NewPool(int maxArrays = 1000, long maxBytes = 1L << 30) =>
        new(minShift: 8, maxShift: 16, maxArraysPerClass: maxArrays, maxBytesPerClass: maxBytes, pinned: false);

    private static byte[][] RentMany(SizeClassPool pool, int count, int length) =>
        Enumerable.Range(0, count).Select(_ => pool.Rent(length)).ToArray();

    private static void ReturnAll(SizeClassPool pool, IEnumerable<byte[]> arrays)
    {
        foreach (var array in arrays) pool.Return(array);
    }

    [Fact]
    public void Arrays_left_by_a_flood_are_dropped_once_they_sat_unused_through_a_whole_period()
    {
        var pool = NewPool();
        ReturnAll(pool, RentMany(pool, 100, 4096));
        Assert.Equal(100 * 4096, pool.RetainedBytes);

        // The first trim ends the flood's period, in which the class ran dry: nothing is known to be idle yet.
        Assert.Equal(0, pool.Trim());
        Assert.Equal(100 * 4096, pool.RetainedBytes);

        // A whole period without a rent: every array was idle through it.
        Assert.Equal(100 * 4096, pool.Trim());
        Assert.Equal(0, pool.RetainedBytes);
    }

    [Fact]
    public void Arrays_in_steady_use_survive_trims_and_only_the_excess_goes()
    {
        var pool = NewPool();
        ReturnAll(pool, RentMany(pool, 50, 1000));
        pool.Trim();
        for (var period = 0; period < 3; period++)
        {
            // Each period the server needs 10 arrays at once: 40 were never needed and go at the first trim after.
            ReturnAll(pool, RentMany(pool, 10, 1000));
            pool.Trim();
            Assert.Equal(10 * 1024, pool.RetainedBytes);
        }
    }

    [Fact]
    public void A_rent_that_finds_the_class_empty_keeps_what_comes_back_for_one_more_period()
    {
        var pool = NewPool();
        var held = RentMany(pool, 5, 256);
        pool.Trim();
        ReturnAll(pool, held);
        Assert.Equal(0, pool.Trim());
        Assert.Equal(5 * 256, pool.RetainedBytes);
    }

    [Fact]
    public void A_class_keeps_at_most_its_count_and_its_bytes()
    {
        var pool = NewPool(maxArrays: 8, maxBytes: 64 * 1024);
        Assert.Equal(8, pool.CapacityOf(256));
        Assert.Equal(2, pool.CapacityOf(32 * 1024));
        Assert.Equal(1, pool.CapacityOf(65536));

        ReturnAll(pool, RentMany(pool, 20, 256));
        ReturnAll(pool, RentMany(pool, 20, 32 * 1024));

        Assert.Equal(8 * 256 + 2 * 32 * 1024, pool.RetainedBytes);
    }

    [Fact]
    public void Rented_arrays_are_of_the_class_size_and_come_back_for_reuse()
    {
        var pool = NewPool();
        var first = pool.Rent(3000);
        Assert.Equal(4096, first.Length);
        pool.Return(first);
        Assert.Same(first, pool.Rent(2049));
    }

    [Fact]
    public void Arrays_of_other_sizes_and_requests_past_the_largest_class_are_not_pooled()
    {
        var pool = NewPool();
        var huge = pool.Rent(100_000);
        Assert.Equal(100_000, huge.Length);
        pool.Return(huge);
        pool.Return(new byte[3000]);
        Assert.Equal(0, pool.RetainedBytes);
        Assert.Empty(pool.Rent(0));
    }
}
