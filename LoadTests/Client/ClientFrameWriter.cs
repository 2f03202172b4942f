using System.Buffers.Binary;

namespace Chat.LoadTests.Client;

/// <summary>Writes one masked client frame (RFC 6455 section 5.2/5.3) into the caller's buffer.</summary>
internal static class ClientFrameWriter
{
    public const byte Text = 0x1;
    public const byte Close = 0x8;
    public const byte Pong = 0xA;

    /// <summary>Header (at most 14 bytes) plus payload.</summary>
    public static int MaxLength(int payloadLength) => 14 + payloadLength;

    /// <summary>A final frame of <paramref name="opcode"/> with the payload masked by <paramref name="maskKey"/>; returns bytes written.</summary>
    public static int Write(Span<byte> destination, byte opcode, ReadOnlySpan<byte> payload, uint maskKey)
    {
        destination[0] = (byte)(0x80 | opcode);
        int offset;
        if (payload.Length < 126)
        {
            destination[1] = (byte)(0x80 | payload.Length);
            offset = 2;
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            destination[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payload.Length);
            offset = 4;
        }
        else
        {
            destination[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payload.Length);
            offset = 10;
        }

        Span<byte> mask = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(mask, maskKey);
        mask.CopyTo(destination[offset..]);
        offset += 4;
        var body = destination.Slice(offset, payload.Length);
        for (var i = 0; i < payload.Length; i++)
        {
            body[i] = (byte)(payload[i] ^ mask[i & 3]);
        }

        return offset + payload.Length;
    }
}
