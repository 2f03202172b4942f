using System.Diagnostics;
using Microsoft.Extensions.ObjectPool;

namespace Chat.Reactor;

/// <summary>
/// A pooled, reference-counted byte buffer. A broadcast frame is encoded once into one of these and queued on every
/// receiver's connection; each queue holds a reference, and the array goes back to the pool when the last write that
/// uses it completes (uWebSockets' prepared message, Netty's ref-counted ByteBuf).
/// </summary>
public sealed class SharedBuffer
{
    private static readonly ObjectPool<SharedBuffer> Pool =
        new DefaultObjectPool<SharedBuffer>(new DefaultPooledObjectPolicy<SharedBuffer>(), maximumRetained: 1 << 16);

    private byte[]? _array;
    private int _references;

    public byte[] Array => _array ?? throw new ObjectDisposedException(nameof(SharedBuffer));

    public Span<byte> Span => Array;

    /// <summary>The array lives on the pinned object heap: its address is stable for gathered writes.</summary>
    internal unsafe byte* Pointer => (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(Array));

    /// <summary>Rents a buffer of at least <paramref name="minimumLength"/> bytes holding one reference (the caller's).</summary>
    public static SharedBuffer Rent(int minimumLength)
    {
        var buffer = Pool.Get();
        Debug.Assert(buffer._array is null && buffer._references == 0);
        buffer._array = PinnedBufferPool.Rent(minimumLength);
        buffer._references = 1;
        return buffer;
    }

    public void AddReference()
    {
        var after = Interlocked.Increment(ref _references);
        Debug.Assert(after > 1, "AddReference on a released buffer");
    }

    public void Release()
    {
        var after = Interlocked.Decrement(ref _references);
        if (after > 0) return;
        Debug.Assert(after == 0, "SharedBuffer released more often than referenced");
        var array = _array!;
        _array = null;
        PinnedBufferPool.Return(array);
        Pool.Return(this);
    }
}
