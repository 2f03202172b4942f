using System.Runtime.InteropServices;

namespace Chat.Pipeline.Codecs;

/// <summary>
/// The runtime's own zlib (zlib-ng in .NET 9+), reached through the shim System.IO.Compression is built on. The public
/// DeflateStream cannot reset its state or full-flush, so every message would need a new stream (its native state is
/// hundreds of KiB): this keeps one deflate and one inflate state per stage and resets them per message instead. The
/// shim ships with every .NET runtime; these are the entry points DeflateStream itself calls.
/// </summary>
internal static unsafe partial class DeflateNative
{
    public const int NoFlush = 0;
    public const int SyncFlush = 2;
    // Z_FULL_FLUSH: a sync flush that also forgets the window, so the next message refers to nothing before it
    // (server_no_context_takeover, RFC 7692 section 7.1.1.1) without a new stream.
    public const int FullFlush = 3;

    public const int Ok = 0;
    public const int StreamEnd = 1;
    public const int BufError = -5;

    public const int Deflated = 8;
    public const int DefaultStrategy = 0;

    private const string Library = "libSystem.IO.Compression.Native";

    /// <summary>PAL_ZStream of the shim (pal_zlib.h): the fields zlib's z_stream exposes, the rest kept inside.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ZStream
    {
        public byte* NextIn;
        public byte* NextOut;
        public byte* Message;
        public nint InternalState;
        public uint AvailIn;
        public uint AvailOut;
    }

    [LibraryImport(Library, EntryPoint = "CompressionNative_DeflateInit2_")]
    public static partial int DeflateInit2(ZStream* stream, int level, int method, int windowBits, int memLevel, int strategy);

    [LibraryImport(Library, EntryPoint = "CompressionNative_Deflate")]
    public static partial int Deflate(ZStream* stream, int flush);

    [LibraryImport(Library, EntryPoint = "CompressionNative_DeflateEnd")]
    public static partial int DeflateEnd(ZStream* stream);

    [LibraryImport(Library, EntryPoint = "CompressionNative_InflateInit2_")]
    public static partial int InflateInit2(ZStream* stream, int windowBits);

    [LibraryImport(Library, EntryPoint = "CompressionNative_InflateReset2_")]
    public static partial int InflateReset2(ZStream* stream, int windowBits);

    [LibraryImport(Library, EntryPoint = "CompressionNative_Inflate")]
    public static partial int Inflate(ZStream* stream, int flush);

    [LibraryImport(Library, EntryPoint = "CompressionNative_InflateEnd")]
    public static partial int InflateEnd(ZStream* stream);
}
