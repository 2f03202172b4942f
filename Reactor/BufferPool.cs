using System.Buffers;

namespace Chat.Reactor;

/// <summary>
/// The pool of the receive path: reads rent here, and the pipeline stages that consume the bytes (on other threads)
/// return here. <c>ArrayPool&lt;byte&gt;.Shared</c> keeps a few arrays per core and thread, so with thousands of
/// buffers in flight between stages it runs dry and allocates; this one keeps enough per size to serve a full pipeline.
/// </summary>
public static class BufferPool
{
    /// <summary>Arrays up to 1 MiB, up to 16384 kept per size class.</summary>
    public static ArrayPool<byte> Shared { get; } = ArrayPool<byte>.Create(maxArrayLength: 1 << 20, maxArraysPerBucket: 16384);
}
