using System.Buffers;

namespace Chat.Reactor;

/// <summary>
/// The pool of the receive path: reads rent here, and the pipeline stages that consume the bytes (on other threads)
/// return here. <c>ArrayPool&lt;byte&gt;.Shared</c> keeps a few arrays per core and thread, so with thousands of
/// buffers in flight between stages it runs dry and allocates; this one keeps enough per size to serve a full pipeline,
/// and, unlike <c>ArrayPool.Create</c>, gives back what a flood left behind (<see cref="PoolTrimmer"/>).
/// </summary>
public static class BufferPool
{
    private static readonly SizeClassPool Pool = PoolTrimmer.Register(new SizeClassPool(minShift: 4, maxShift: 20,
        maxArraysPerClass: 16384, maxBytesPerClass: 64L << 20, pinned: false));

    /// <summary>Arrays up to 1 MiB (larger ones are allocated, not pooled); per size class at most 16384 arrays and 64 MiB.</summary>
    public static ArrayPool<byte> Shared => Pool;
}
