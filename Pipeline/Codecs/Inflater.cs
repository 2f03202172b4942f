using System.Runtime.InteropServices;

namespace Chat.Pipeline.Codecs;

/// <summary>
/// One raw-deflate decompressor, reset for every message: the server asks every client for client_no_context_takeover,
/// so no message refers to an earlier one and one inflater serves every connection of a stage. A message is fed in
/// pieces (its frames' payloads, then the 00 00 ff ff that RFC 7692 section 7.2.2 puts back); output past its limit
/// stops it (a deflate bomb costs at most the limit). Not thread-safe: one per stage worker.
/// </summary>
internal sealed unsafe class Inflater : IDisposable
{
    // 15 reads every window a client may use (client_max_window_bits 8..15 only make the client's window smaller).
    private const int WindowBits = -15;

    private static ReadOnlySpan<byte> Trailer => [0x00, 0x00, 0xFF, 0xFF];

    private DeflateNative.ZStream* _stream;
    private bool _ended;

    public Inflater()
    {
        _stream = (DeflateNative.ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(DeflateNative.ZStream));
        var rc = DeflateNative.InflateInit2(_stream, WindowBits);
        if (rc != DeflateNative.Ok)
        {
            NativeMemory.Free(_stream);
            _stream = null;
            throw new InvalidOperationException($"zlib inflateInit2 failed: {rc}");
        }
    }

    /// <summary>Starts a new message.</summary>
    public void Reset()
    {
        ObjectDisposedException.ThrowIf(_stream is null, this);
        DeflateNative.InflateReset2(_stream, WindowBits);
        _ended = false;
    }

    /// <summary>
    /// Inflates one piece of the message into output from <paramref name="written"/> on and moves it. Output longer than
    /// <paramref name="limit"/> is <see cref="InflateStatus.TooBig"/>; output must hold at least limit + 1 bytes.
    /// </summary>
    public InflateStatus Inflate(ReadOnlySpan<byte> input, Span<byte> output, int limit, ref int written)
    {
        ObjectDisposedException.ThrowIf(_stream is null, this);
        // A final block (BFINAL) ends the stream: what follows, such as the trailer put back, is not deflate data.
        if (_ended || input.IsEmpty) return InflateStatus.Done;
        var room = Math.Min(output.Length, limit + 1);
        fixed (byte* inPtr = input)
        fixed (byte* outPtr = output)
        {
            _stream->NextIn = inPtr;
            _stream->AvailIn = (uint)input.Length;
            _stream->NextOut = outPtr + written;
            _stream->AvailOut = (uint)(room - written);
            var rc = DeflateNative.Inflate(_stream, DeflateNative.SyncFlush);
            written = room - (int)_stream->AvailOut;
            var leftIn = _stream->AvailIn;
            _stream->NextIn = null;
            _stream->NextOut = null;
            if (written > limit) return InflateStatus.TooBig;
            if (rc == DeflateNative.StreamEnd)
            {
                _ended = true;
                return InflateStatus.Done;
            }
            if (rc is not (DeflateNative.Ok or DeflateNative.BufError)) return InflateStatus.Invalid;
            return leftIn == 0 ? InflateStatus.Done : InflateStatus.Invalid;
        }
    }

    /// <summary>Feeds the 00 00 ff ff that the sender cut off: the end of the message.</summary>
    public InflateStatus Finish(Span<byte> output, int limit, ref int written) => Inflate(Trailer, output, limit, ref written);

    public void Dispose()
    {
        if (_stream is null) return;
        DeflateNative.InflateEnd(_stream);
        NativeMemory.Free(_stream);
        _stream = null;
    }
}
