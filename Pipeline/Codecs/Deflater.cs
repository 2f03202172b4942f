using System.Runtime.InteropServices;

namespace Chat.Pipeline.Codecs;

/// <summary>
/// One raw-deflate compressor, reused for every message: each message ends with a full flush, which ends its blocks on
/// a byte boundary with the empty stored block <c>00 00 ff ff</c> (cut off, RFC 7692 section 7.2.1) and forgets the
/// window, so each output stands alone (server_no_context_takeover). Not thread-safe: one per stage worker.
/// </summary>
internal sealed unsafe class Deflater : IDisposable
{
    /// <summary>Default zlib memory level: 8 is zlib's default (a 128 KiB state); lower saves memory, costs ratio.</summary>
    private const int MemoryLevel = 8;

    private static ReadOnlySpan<byte> Trailer => [0x00, 0x00, 0xFF, 0xFF];

    private DeflateNative.ZStream* _stream;

    /// <param name="level">zlib level 1 (fastest) .. 9 (smallest).</param>
    public Deflater(int level)
    {
        _stream = (DeflateNative.ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(DeflateNative.ZStream));
        // Negative window bits: raw deflate, no zlib header or checksum (RFC 7692 section 7.2.1). 15: a 32 KiB window.
        var rc = DeflateNative.DeflateInit2(_stream, level, DeflateNative.Deflated, -15, MemoryLevel, DeflateNative.DefaultStrategy);
        if (rc != DeflateNative.Ok)
        {
            NativeMemory.Free(_stream);
            _stream = null;
            throw new InvalidOperationException($"zlib deflateInit2 failed: {rc}");
        }
    }

    /// <summary>Room <see cref="Compress"/> needs for <paramref name="inputLength"/> bytes: zlib's bound plus the flush.</summary>
    public static int MaxOutputLength(int inputLength) => inputLength + (inputLength >> 3) + 64;

    /// <summary>
    /// Compresses input as one message into output, without the trailing 00 00 ff ff; returns the length, or -1 when
    /// output was too short (the compressor is then ready for the next message all the same).
    /// </summary>
    public int Compress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        ObjectDisposedException.ThrowIf(_stream is null, this);
        fixed (byte* inPtr = input)
        fixed (byte* outPtr = output)
        {
            _stream->NextIn = inPtr;
            _stream->AvailIn = (uint)input.Length;
            _stream->NextOut = outPtr;
            _stream->AvailOut = (uint)output.Length;
            var rc = DeflateNative.Deflate(_stream, DeflateNative.FullFlush);
            if (rc is not (DeflateNative.Ok or DeflateNative.BufError))
            {
                throw new InvalidOperationException($"zlib deflate failed: {rc}");
            }
            // zlib finished the flush only if it left output room (zlib.h, deflate: "avail_out == 0 ... call again").
            if (_stream->AvailOut == 0)
            {
                Drain();
                return -1;
            }
            var written = output.Length - (int)_stream->AvailOut;
            _stream->NextIn = null;
            _stream->NextOut = null;
            if (written < Trailer.Length || !output[(written - Trailer.Length)..written].SequenceEqual(Trailer))
            {
                throw new InvalidOperationException("zlib full flush did not end with an empty stored block");
            }
            return written - Trailer.Length;
        }
    }

    // Finishes the interrupted flush into a scratch buffer, so that the next message starts clean.
    private void Drain()
    {
        Span<byte> scratch = stackalloc byte[1024];
        fixed (byte* scratchPtr = scratch)
        {
            do
            {
                _stream->NextOut = scratchPtr;
                _stream->AvailOut = (uint)scratch.Length;
                DeflateNative.Deflate(_stream, DeflateNative.FullFlush);
            }
            while (_stream->AvailOut == 0);
        }
        _stream->NextIn = null;
        _stream->NextOut = null;
    }

    public void Dispose()
    {
        if (_stream is null) return;
        DeflateNative.DeflateEnd(_stream);
        NativeMemory.Free(_stream);
        _stream = null;
    }
}
