using System.Buffers.Binary;

namespace Chat.LoadTests.Client;

/// <summary>Reads server frame headers (never masked, RFC 6455 section 5.1) from buffered input.</summary>
internal static class ServerFrameReader
{
    /// <summary>
    /// True when <paramref name="input"/> starts with a complete frame; false when more bytes are needed. A masked
    /// server frame or a length past <paramref name="maxPayload"/> is an <see cref="InvalidDataException"/>: the run
    /// counts it as a failed connection, it is not a state to recover from.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> input, int maxPayload, out ServerFrame frame)
    {
        frame = default;
        if (input.Length < 2) return false;
        var final = (input[0] & 0x80) != 0;
        var opcode = (byte)(input[0] & 0x0F);
        if ((input[1] & 0x80) != 0) throw new InvalidDataException("the server sent a masked frame");
        long length = input[1] & 0x7F;
        var offset = 2;
        if (length == 126)
        {
            if (input.Length < 4) return false;
            length = BinaryPrimitives.ReadUInt16BigEndian(input[2..]);
            offset = 4;
        }
        else if (length == 127)
        {
            if (input.Length < 10) return false;
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(input[2..]);
            offset = 10;
        }

        if (length > maxPayload) throw new InvalidDataException($"server frame of {length} bytes is over the client's limit of {maxPayload}");
        if (input.Length < offset + length) return false;
        frame = new ServerFrame(final, opcode, offset, (int)length, Compressed: (input[0] & 0x40) != 0);
        return true;
    }
}
