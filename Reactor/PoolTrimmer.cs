namespace Chat.Reactor;

/// <summary>
/// Trims the byte pools every <see cref="Period"/> and, when that gave back a lot, asks the GC to return the memory
/// to the system. An idle server allocates nothing, so no collection would otherwise run: the arrays a flood left
/// would stay resident for good (issue 19: RSS from 57 MB to over 500 MB after floods, and it stayed there).
/// </summary>
internal static class PoolTrimmer
{
    /// <summary>How long an array must sit unused in a pool before it is dropped (between one and two periods).</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    /// <summary>Bytes dropped in one trim past which a compacting collection is worth its pause (a few ms on an idle heap).</summary>
    public const long CollectAbove = 16L << 20;

    private static readonly List<SizeClassPool> Pools = [];
    private static readonly Timer Timer = new(static _ => TrimAll(), null, Period, Period);

    public static SizeClassPool Register(SizeClassPool pool)
    {
        lock (Pools) Pools.Add(pool);
        GC.KeepAlive(Timer);
        return pool;
    }

    /// <summary>One trim of every pool; returns the bytes dropped.</summary>
    public static long TrimAll()
    {
        long dropped = 0;
        lock (Pools)
        {
            foreach (var pool in Pools) dropped += pool.Trim();
        }
        if (dropped >= CollectAbove)
        {
            // Aggressive: compacts every generation and decommits the freed regions, so RSS falls, not only the heap.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        return dropped;
    }
}
