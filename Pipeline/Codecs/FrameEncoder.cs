using System.Buffers.Binary;

namespace Chat.Pipeline.Codecs;

/// <summary>Server frame headers and control frames (RFC 6455 section 5.2); servers never mask (section 5.1).</summary>
internal static class FrameEncoder
{
    public const int MaxControlFrameLength = 2 + 125;

    private const int MaxControlPayload = 125;

    /// <summary>2 for payloads up to 125 bytes, 4 up to 65535, else 10.</summary>
    public static int HeaderLength(long payloadLength) => payloadLength < 126 ? 2 : payloadLength <= ushort.MaxValue ? 4 : 10;

    /// <summary>Writes the shortest header for payloadLength; returns bytes written.</summary>
    public static int WriteHeader(Span<byte> destination, Opcode opcode, bool fin, long payloadLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        destination[0] = (byte)((fin ? 0x80 : 0) | (byte)opcode);
        if (payloadLength < 126)
        {
            destination[1] = (byte)payloadLength;
            return 2;
        }

        if (payloadLength <= ushort.MaxValue)
        {
            destination[1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
            return 4;
        }

        destination[1] = 127;
        BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
        return 10;
    }

    /// <summary>A whole ping or pong frame; a payload over 125 bytes is a bug of the caller (the decoder refuses them).</summary>
    public static int WriteControl(Span<byte> destination, Opcode opcode, ReadOnlySpan<byte> payload)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payload.Length, MaxControlPayload);
        int header = WriteHeader(destination, opcode, fin: true, payload.Length);
        payload.CopyTo(destination[header..]);
        return header + payload.Length;
    }

    /// <summary>A close frame with status and reason; the reason is cut to 123 bytes at a UTF-8 character boundary.</summary>
    public static int WriteClose(Span<byte> destination, CloseStatus status, ReadOnlySpan<byte> reasonUtf8)
    {
        int cut = reasonUtf8.Length;
        if (cut > MaxControlPayload - 2)
        {
            cut = MaxControlPayload - 2;
            while (cut > 0 && (reasonUtf8[cut] & 0xC0) == 0x80)
            {
                cut--;
            }
        }

        int header = WriteHeader(destination, Opcode.Close, fin: true, 2 + cut);
        BinaryPrimitives.WriteUInt16BigEndian(destination[header..], (ushort)status);
        reasonUtf8[..cut].CopyTo(destination[(header + 2)..]);
        return header + 2 + cut;
    }

    /// <summary>A close frame holding only a status code, e.g. the echo of the peer's code (RFC 6455 section 5.5.1).</summary>
    public static int WriteClose(Span<byte> destination, ushort code)
    {
        int header = WriteHeader(destination, Opcode.Close, fin: true, 2);
        BinaryPrimitives.WriteUInt16BigEndian(destination[header..], code);
        return header + 2;
    }
}
