using System.Collections.Concurrent;
using System.Numerics;

namespace Chat.Reactor;

/// <summary>
/// Arrays on the pinned object heap, pooled by power-of-two size class. Outbound buffers come from here so the epoll
/// backend can hand their addresses to writev without pinning each one per write.
/// </summary>
internal static class PinnedBufferPool
{
    private const int MinShift = 8;   // 256 B
    private const int MaxShift = 24;  // 16 MiB
    private const int RetainedPerClass = 4096;
    private static readonly ConcurrentQueue<byte[]>[] Classes = CreateClasses();
    private static readonly int[] Retained = new int[MaxShift - MinShift + 1];

    public static byte[] Rent(int minimumLength)
    {
        var index = ClassOf(minimumLength);
        if (index < 0) return GC.AllocateUninitializedArray<byte>(minimumLength, pinned: true);
        if (Classes[index].TryDequeue(out var array))
        {
            Interlocked.Decrement(ref Retained[index]);
            return array;
        }
        return GC.AllocateUninitializedArray<byte>(1 << (index + MinShift), pinned: true);
    }

    public static void Return(byte[] array)
    {
        var index = ClassOf(array.Length);
        if (index < 0 || array.Length != 1 << (index + MinShift)) return;
        if (Interlocked.Increment(ref Retained[index]) > RetainedPerClass)
        {
            Interlocked.Decrement(ref Retained[index]);
            return;
        }
        Classes[index].Enqueue(array);
    }

    private static int ClassOf(int length)
    {
        var shift = length <= 1 << MinShift ? MinShift : 32 - BitOperations.LeadingZeroCount((uint)length - 1);
        return shift > MaxShift ? -1 : shift - MinShift;
    }

    private static ConcurrentQueue<byte[]>[] CreateClasses()
    {
        var classes = new ConcurrentQueue<byte[]>[MaxShift - MinShift + 1];
        for (var i = 0; i < classes.Length; i++) classes[i] = new ConcurrentQueue<byte[]>();
        return classes;
    }
}
