using System.Buffers.Binary;
using Chat.Pipeline.Codecs;

namespace Chat.UnitTests.Pipeline.Codecs;

/// <summary>Builds client frames byte by byte (RFC 6455 section 5.2), including the malformed ones.</summary>
internal static class ClientFrame
{
    public static readonly byte[] DefaultMask = [0x37, 0xFA, 0x21, 0x3D];

    public enum LengthForm
    {
        Minimal,
        Bits16,
        Bits64,
    }

    public static byte[] Build(Opcode opcode, ReadOnlySpan<byte> payload, bool fin = true, byte[]? mask = null,
        bool masked = true, int rsv = 0, LengthForm form = LengthForm.Minimal) =>
        Build((int)opcode, payload, fin, mask, masked, rsv, form);

    public static byte[] Build(int opcode, ReadOnlySpan<byte> payload, bool fin = true, byte[]? mask = null,
        bool masked = true, int rsv = 0, LengthForm form = LengthForm.Minimal)
    {
        mask ??= DefaultMask;
        byte[] header = Header(opcode, payload.Length, fin, masked, rsv, form);
        var frame = new byte[header.Length + (masked ? 4 : 0) + payload.Length];
        header.CopyTo(frame, 0);
        int at = header.Length;
        if (masked)
        {
            mask.CopyTo(frame, at);
            at += 4;
        }

        for (int i = 0; i < payload.Length; i++)
        {
            frame[at + i] = (byte)(payload[i] ^ (masked ? mask[i % 4] : 0));
        }

        return frame;
    }

    /// <summary>The first bytes of a frame up to and without the mask key: first byte, length byte, extended length.</summary>
    public static byte[] Header(int opcode, long length, bool fin = true, bool masked = true, int rsv = 0, LengthForm form = LengthForm.Minimal)
    {
        if (form == LengthForm.Minimal)
        {
            form = length < 126 ? LengthForm.Minimal : length <= ushort.MaxValue ? LengthForm.Bits16 : LengthForm.Bits64;
        }

        byte first = (byte)((fin ? 0x80 : 0) | (rsv << 4) | opcode);
        byte maskBit = masked ? (byte)0x80 : (byte)0;
        switch (form)
        {
            case LengthForm.Minimal:
                return [first, (byte)(maskBit | length)];
            case LengthForm.Bits16:
                var h16 = new byte[4];
                h16[0] = first;
                h16[1] = (byte)(maskBit | 126);
                BinaryPrimitives.WriteUInt16BigEndian(h16.AsSpan(2), (ushort)length);
                return h16;
            default:
                var h64 = new byte[10];
                h64[0] = first;
                h64[1] = (byte)(maskBit | 127);
                BinaryPrimitives.WriteUInt64BigEndian(h64.AsSpan(2), (ulong)length);
                return h64;
        }
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
