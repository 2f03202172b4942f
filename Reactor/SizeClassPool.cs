using System.Buffers;
using System.Collections.Concurrent;
using System.Numerics;

namespace Chat.Reactor;

/// <summary>
/// Byte arrays pooled by power-of-two size class, bounded and trimmed. Each class keeps at most a number of arrays and
/// of bytes; past that a returned array is left to the GC. <see cref="Trim"/> (run every few seconds by
/// <see cref="PoolTrimmer"/>) drops the arrays that sat in a class through a whole period: the lowest count the class
/// had since the last trim was never needed. So a pool sized by a flood shrinks back within two periods once the flood
/// is over, while arrays in steady use are kept (the low-water mark idea of jemalloc's decay and Go's sync.Pool victim
/// cache).
/// </summary>
internal sealed class SizeClassPool : ArrayPool<byte>
{
    private readonly int _minShift;
    private readonly int _maxShift;
    private readonly bool _pinned;
    private readonly int[] _capacity;
    private readonly ConcurrentQueue<byte[]>[] _classes;
    private readonly int[] _retained;
    private readonly int[] _lowWater;

    /// <param name="minShift">Smallest class, as a power of two.</param>
    /// <param name="maxShift">Largest class; larger requests are allocated and dropped, not pooled.</param>
    /// <param name="maxArraysPerClass">Arrays kept per class at most.</param>
    /// <param name="maxBytesPerClass">Bytes kept per class at most (binds the large classes).</param>
    /// <param name="pinned">Allocate on the pinned object heap (addresses stable for native writes).</param>
    public SizeClassPool(int minShift, int maxShift, int maxArraysPerClass, long maxBytesPerClass, bool pinned)
    {
        _minShift = minShift;
        _maxShift = maxShift;
        _pinned = pinned;
        var count = maxShift - minShift + 1;
        _capacity = new int[count];
        _classes = new ConcurrentQueue<byte[]>[count];
        _retained = new int[count];
        _lowWater = new int[count];
        for (var i = 0; i < count; i++)
        {
            _capacity[i] = (int)Math.Max(1, Math.Min(maxArraysPerClass, maxBytesPerClass >> (i + minShift)));
            _classes[i] = new ConcurrentQueue<byte[]>();
        }
    }

    /// <summary>Bytes held in the pool now (not counting arrays rented out).</summary>
    public long RetainedBytes
    {
        get
        {
            long bytes = 0;
            for (var i = 0; i < _retained.Length; i++) bytes += (long)Volatile.Read(ref _retained[i]) << (i + _minShift);
            return bytes;
        }
    }

    /// <summary>Arrays a class keeps at most.</summary>
    public int CapacityOf(int length) => ClassOf(length) is var index and >= 0 ? _capacity[index] : 0;

    public override byte[] Rent(int minimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumLength);
        if (minimumLength == 0) return [];
        var index = ClassOf(minimumLength);
        if (index < 0) return Allocate(minimumLength);
        if (_classes[index].TryDequeue(out var array))
        {
            var left = Interlocked.Decrement(ref _retained[index]);
            // Racy on purpose: two renters may leave the higher of their counts, so a trim may drop an array or two
            // that was needed; it is allocated again. A compare-exchange loop here would cost every rent.
            if (left < Volatile.Read(ref _lowWater[index])) Volatile.Write(ref _lowWater[index], left);
            return array;
        }
        Volatile.Write(ref _lowWater[index], 0);
        return Allocate(1 << (index + _minShift));
    }

    /// <summary>Takes the array back when it is of a class size and the class has room; any other array is left to the GC.</summary>
    public override void Return(byte[] array, bool clearArray = false)
    {
        var index = ClassOf(array.Length);
        if (index < 0 || array.Length != 1 << (index + _minShift)) return;
        if (Interlocked.Increment(ref _retained[index]) > _capacity[index])
        {
            Interlocked.Decrement(ref _retained[index]);
            return;
        }
        if (clearArray) Array.Clear(array);
        _classes[index].Enqueue(array);
    }

    /// <summary>
    /// Drops, per class, as many arrays as were never rented since the last trim (the class's low-water mark), and
    /// starts the next period. Returns the bytes dropped.
    /// </summary>
    public long Trim()
    {
        long dropped = 0;
        for (var i = 0; i < _classes.Length; i++)
        {
            var idle = Volatile.Read(ref _lowWater[i]);
            for (var n = 0; n < idle && _classes[i].TryDequeue(out _); n++)
            {
                Interlocked.Decrement(ref _retained[i]);
                dropped += 1L << (i + _minShift);
            }
            Volatile.Write(ref _lowWater[i], Volatile.Read(ref _retained[i]));
        }
        return dropped;
    }

    private byte[] Allocate(int length) => GC.AllocateUninitializedArray<byte>(length, _pinned);

    private int ClassOf(int length)
    {
        var shift = length <= 1 << _minShift ? _minShift : 32 - BitOperations.LeadingZeroCount((uint)length - 1);
        return shift > _maxShift ? -1 : shift - _minShift;
    }
}
