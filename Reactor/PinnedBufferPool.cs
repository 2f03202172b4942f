namespace Chat.Reactor;

/// <summary>
/// Arrays on the pinned object heap, pooled by power-of-two size class. Outbound buffers come from here so the epoll
/// backend can hand their addresses to writev without pinning each one per write.
/// </summary>
internal static class PinnedBufferPool
{
    /// <summary>
    /// 256 B to 16 MiB; per class at most 4096 arrays and 32 MiB, so the whole pool holds at most about 300 MiB even
    /// after a flood, and <see cref="PoolTrimmer"/> gives back what stays unused.
    /// </summary>
    internal static readonly SizeClassPool Pool = PoolTrimmer.Register(new SizeClassPool(minShift: 8, maxShift: 24,
        maxArraysPerClass: 4096, maxBytesPerClass: 32L << 20, pinned: true));

    public static byte[] Rent(int minimumLength) => Pool.Rent(minimumLength);

    public static void Return(byte[] array) => Pool.Return(array);
}
