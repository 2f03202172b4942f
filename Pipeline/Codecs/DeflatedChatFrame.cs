using System.Buffers.Binary;
using Chat.Pipeline.Items;

namespace Chat.Pipeline.Codecs;

/// <summary>
/// The compressed twin of a chat frame, built in the same shared buffer right after the plain frame's tail. The encode
/// stage compresses the tail (everything after the id) once; the broadcast stage, once the id is known, puts in front
/// of it the JSON head it wrote for the plain frame as a stored (uncompressed) deflate block, and a frame header with
/// RSV1. A deflate stream is a sequence of blocks, and the tail's blocks refer only to their own bytes, so a stored
/// block ahead of them inflates to head + tail: the id never has to be known before compression.
/// <code>
/// [plain head room][plain tail][deflate head room][compressed tail]
///                              ↑ HeadRoom + tail  ↑ + DeflateHeadRoom
/// </code>
/// </summary>
internal static class DeflatedChatFrame
{
    /// <summary>Stored block header: BFINAL 0 and BTYPE 00 padded to a byte, then LEN and NLEN (RFC 1951 section 3.2.4).</summary>
    private const int StoredBlockHeader = 5;

    private const int MaxFrameHeader = 10;

    /// <summary>Room before the compressed tail: frame header, stored block header and the JSON head.</summary>
    public const int HeadRoom = ChatMessageEncoder.HeadRoom + StoredBlockHeader;

    /// <summary>Extra bytes a frame buffer needs for the compressed twin of a tail of at most this length.</summary>
    public static int Room(int maxTailLength) => HeadRoom + Deflater.MaxOutputLength(maxTailLength);

    /// <summary>
    /// Compresses the tail at <c>frame[ChatMessageEncoder.HeadRoom..]</c> into its place behind it; returns the
    /// compressed length, or 0 when compression saved nothing (the message then goes out plain to everyone).
    /// </summary>
    public static int CompressTail(Deflater deflater, Span<byte> frame, int tailLength)
    {
        var tail = frame.Slice(ChatMessageEncoder.HeadRoom, tailLength);
        var compressed = deflater.Compress(tail, frame[(ChatMessageEncoder.HeadRoom + tailLength + HeadRoom)..]);
        return compressed <= 0 || compressed >= tailLength ? 0 : compressed;
    }

    /// <summary>
    /// Writes the compressed frame's head in front of its compressed tail, taking the JSON head from the plain frame
    /// that starts at <paramref name="plainOffset"/> (written by <see cref="ChatMessageEncoder.WriteHead"/>).
    /// </summary>
    public static DeflatedVariant WriteHead(Span<byte> frame, int plainOffset, int tailLength, int compressedLength)
    {
        if (compressedLength == 0) return default;
        var jsonHead = frame[(plainOffset + PlainHeaderLength(frame[plainOffset + 1]))..ChatMessageEncoder.HeadRoom];
        var end = ChatMessageEncoder.HeadRoom + tailLength + HeadRoom;
        var headStart = end - jsonHead.Length;
        jsonHead.CopyTo(frame[headStart..]);
        var block = headStart - StoredBlockHeader;
        frame[block] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(frame[(block + 1)..], (ushort)jsonHead.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(frame[(block + 3)..], (ushort)~jsonHead.Length);
        long payloadLength = StoredBlockHeader + jsonHead.Length + (long)compressedLength;
        var start = block - FrameEncoder.HeaderLength(payloadLength);
        FrameEncoder.WriteHeader(frame[start..], Opcode.Text, fin: true, payloadLength);
        // RSV1: "Per-Message Compressed" (RFC 7692 section 6).
        frame[start] |= 0x40;
        return new DeflatedVariant(start, end + compressedLength - start, jsonHead.Length + tailLength);
    }

    private static int PlainHeaderLength(byte secondByte) => (secondByte & 0x7F) switch
    {
        127 => MaxFrameHeader,
        126 => 4,
        _ => 2,
    };
}
